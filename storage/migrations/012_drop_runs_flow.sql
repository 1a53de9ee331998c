-- Every query on runs is by dialogue (runs_dialogue, migration 004); runs_flow only cost
-- each turn one more index entry moved, on a random page once participants are many.
DROP INDEX IF EXISTS runs_flow
