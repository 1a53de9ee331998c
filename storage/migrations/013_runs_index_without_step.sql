-- A turn moves a person's run to its next step. With step_id in runs_dialogue every turn
-- moved the run's index entry (on a random page once participants are many, and on
-- PostgreSQL no HOT update); the dashboard's count per step reads the table instead.
DROP INDEX IF EXISTS runs_dialogue;
CREATE INDEX runs_dialogue ON runs(dialogue, status, flow_id, participant_id)
