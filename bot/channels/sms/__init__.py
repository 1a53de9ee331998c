"""The SMS channel through Twilio: `webhook` (signed webhooks, shared with WhatsApp),
`twilio` (the REST client and its errors, shared with WhatsApp), `gsm7` (encodings and
segments), `transport` (a message -> single-segment parts), `channel` (the whole)."""
