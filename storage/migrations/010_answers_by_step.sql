-- What people said, question by question. The dashboard counts each step's answers by
-- value from the first index alone, and reads the latest open answers (and pages of them)
-- from the second: a step of 100,000 answers in milliseconds, whatever the others hold.
CREATE INDEX answers_step ON answers(dialogue, flow_id, step_id, value);
CREATE INDEX answers_latest ON answers(dialogue, flow_id, step_id, id)
