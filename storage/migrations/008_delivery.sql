-- Delivery (issue 10). `faults`: unexpected failures of a message; the sender gives it up
-- after a few, so it never blocks the person's later messages. `wait_seen`: a message the
-- provider takes only once the person writes again (WhatsApp outside its 24-hour window)
-- waits; it is the participant's last_seen_at when it was held, and the message goes
-- again once that has changed.
ALTER TABLE outbox ADD COLUMN faults INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN wait_seen TEXT
