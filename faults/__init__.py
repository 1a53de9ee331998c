"""The fault suite: `baraza run` as a subprocess against the fakes in another process,
simulated participants over Telegram and signed SMS webhooks, and the counting afterwards.

`tests/test_faults.py` runs each scenario in its short form (part of `make test`);
`make faults` runs them all at full size (`python -m faults`) and prints the table of
checks: tried, held, lost. A check holds when `lost` is 0.

Scenarios, one module each:

1. `kills`: kill -9 the bot at random moments while participants answer and a facilitator's
   broadcast goes out; restart each time; then count what the fakes saw and the SQLite file
   holds.
2. `provider_faults`: 30% of sends answered 429, 5xx or never (a timeout) for a while.
3. `duplicates`: every inbound delivered 1 to 3 times (answers, votes, a facilitator's /poll).
4. `hostile`: forged, missing and stale signatures, wrong secret tokens, non-facilitators'
   commands, oversized and malformed bodies, hypothesis-generated text at every step.

The rest: `rig` (the processes and the simulated participants), `fakes` (the fake Bot API
and Twilio API in a process of their own), `counting`, `ledger` and `sizes`.
"""
