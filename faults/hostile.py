"""Scenario 4: forged, missing and stale signatures, wrong secret tokens, non-facilitators'
commands, oversized and malformed bodies, hypothesis-generated text at every step."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

from faults.counting import participant_ids, stored_external_ids
from faults.ledger import Ledger
from faults.rig import AUTH, HTTP, PUBLIC, WEBHOOK_SECRET, rig, sms_number, tg_user, webhook
from faults.sizes import Sizes


def scenario_hostile(workdir: Path, sizes: Sizes, ledger: Ledger) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    name = "hostile input"
    with rig(
        workdir,
        sizes,
        telegram_mode="webhook",
        telegram_webhook_secret=WEBHOOK_SECRET,
        public_base_url=PUBLIC,
    ) as (fakes, bot):
        bot.start()
        asyncio.run(bot.ready())
        http = httpx.Client(base_url=bot.url, timeout=HTTP)
        url = PUBLIC + "/sms/inbound"
        good = RequestValidator(AUTH)
        update_ids = iter(range(10_000, 10**9))
        hostile_numbers = iter(sms_number(900_000 + i) for i in range(100_000))
        results: dict[str, list[bool]] = {}

        def record(kind: str, ok: bool) -> None:
            results.setdefault(kind, []).append(ok)

        def sms_post(
            body: bytes | str,
            signature: str | None,
            content_type: str = "application/x-www-form-urlencoded",
        ) -> int:
            headers = {"Content-Type": content_type}
            if signature is not None:
                headers["X-Twilio-Signature"] = signature
            return http.post("/sms/inbound", content=body, headers=headers).status_code

        def signed(
            params: dict[str, str], validator: RequestValidator = good, sign_url: str = url
        ) -> tuple[str, str]:
            return urlencode(params), validator.compute_signature(sign_url, params)

        sid = iter(f"SMX{i:030x}" for i in range(1, 10**6))
        refused_sids: list[str] = []
        refused_numbers: list[str] = []

        def hostile_sms(kind: str, expected: int, make: Any) -> None:
            number, s = next(hostile_numbers), next(sid)
            refused_numbers.append(number)
            refused_sids.append(s)
            status = make(webhook(s, number, "yes"))
            record(f"SMS {kind} -> {expected}", status == expected)

        for _ in range(3):
            hostile_sms(
                "forged signature",
                403,
                lambda p: sms_post(urlencode(p), base64.b64encode(os.urandom(20)).decode()),
            )
            hostile_sms("missing signature", 403, lambda p: sms_post(urlencode(p), None))
            hostile_sms("empty signature", 403, lambda p: sms_post(urlencode(p), ""))
            hostile_sms(
                "stale signature (body changed after signing)",
                403,
                lambda p: sms_post(urlencode({**p, "Body": "STOP"}), signed(p)[1]),
            )
            hostile_sms(
                "signature by another auth token",
                403,
                lambda p: sms_post(*signed(p, RequestValidator("old-token"))),
            )
            hostile_sms(
                "signature over another URL",
                403,
                lambda p: sms_post(*signed(p, sign_url="http://127.0.0.1/sms/inbound")),
            )
            hostile_sms(
                "oversized body", 413, lambda p: sms_post(*signed({**p, "Body": "x" * 70_000}))
            )
            hostile_sms(
                "field added after signing",
                403,
                lambda p: sms_post(urlencode(p) + "&%zz=%", signed(p)[1]),
            )
            hostile_sms(
                "malformed form (a field without =)",
                400,
                lambda p: sms_post(urlencode(p) + "&garbage", signed(p)[1]),
            )
            hostile_sms(
                "malformed form (not UTF-8)",
                400,
                lambda p: sms_post(urlencode(p).encode() + b"&Body=%FF%FE\xff", signed(p)[1]),
            )
            hostile_sms(
                "JSON instead of a form",
                400,
                lambda p: sms_post(json.dumps(p), signed(p)[1], "application/json"),
            )
            hostile_sms(
                "signed, MessageSid missing",
                400,
                lambda p: sms_post(
                    *signed({k: v for k, v in p.items() if "Sid" not in k or k == "AccountSid"})
                ),
            )
            hostile_sms(
                "signed, From not a phone number",
                400,
                lambda p: sms_post(*signed({**p, "From": "'; DROP TABLE participants; --"})),
            )

        def tg_post(body: bytes | str, secret: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            return http.post("/telegram/webhook", content=body, headers=headers).status_code

        def tg_update(user: int, text: str) -> dict[str, Any]:
            u = next(update_ids)
            return {
                "update_id": u,
                "message": {
                    "message_id": u, "date": int(time.time()), "text": text,
                    "from": {"id": user, "is_bot": False, "first_name": "Eve", "language_code": "en"},
                    "chat": {"id": user, "type": "private", "first_name": "Eve"},
                    **({"entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]} if text.startswith("/") else {}),
                },
            }  # fmt: skip

        refused_updates: list[int] = []
        eve = 777_000
        for _ in range(3):
            for kind, expected, body, secret in [
                ("wrong secret token", 403, None, "wrong-secret"),
                ("missing secret token", 403, None, None),
                ("malformed JSON", 400, "{not json", WEBHOOK_SECRET),
                ("JSON not an object", 400, "[1, 2, 3]", WEBHOOK_SECRET),
                ("oversized body", 413, "x", WEBHOOK_SECRET),
            ]:
                update = tg_update(eve, "yes")
                refused_updates.append(update["update_id"])
                if body == "x":
                    update["message"]["text"] = "x" * 70_000
                payload = json.dumps(update) if body is None or body == "x" else body
                status = tg_post(payload, secret)
                record(f"Telegram webhook {kind} -> {expected}", status == expected)

        # non-facilitators: refused, a notice back, nothing created
        mallory_tg, mallory_sms = 888_000, sms_number(800_000)
        commands = [
            "/prompt Vote for me",
            "/poll Q | A | B",
            "/close",
            "/results",
            "/share",
            "/dashboard",
            "/export",
            "/facilitators",
        ]
        for command in commands:
            status = tg_post(json.dumps(tg_update(mallory_tg, command)), WEBHOOK_SECRET)
            record("non-facilitator command over Telegram -> 200, refused", status == 200)
            status = sms_post(*signed(webhook(next(sid), mallory_sms, command)))
            record("non-facilitator command over SMS -> 200, refused", status == 200)

        # hypothesis: any text at every step of the flow, over both channels
        statuses: Counter[int] = Counter()
        walkers = iter(range(1, 10**6))

        @settings(
            max_examples=sizes.fuzz_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(st.text(max_size=300), min_size=6, max_size=6), st.booleans())
        def walk(texts: list[str], telegram: bool) -> None:
            k = next(walkers)
            script = [
                "/start" if telegram else "Hi",
                texts[0],
                "yes",
                texts[1],
                "2",
                texts[2],
                "2",
                texts[3],
                "2",
                texts[4],
                "2",
                texts[5],
            ]
            for text in script:
                if telegram:
                    status = tg_post(
                        json.dumps(tg_update(tg_user(500_000 + k), text)), WEBHOOK_SECRET
                    )
                else:
                    status = sms_post(*signed(webhook(next(sid), sms_number(500_000 + k), text)))
                statuses[status] += 1

        walk()
        alive = http.get("/healthz").status_code == 200
        http.close()
        time.sleep(1.0)
        bot.stop()

        for kind, oks in results.items():
            ledger.add(name, kind, len(oks), sum(oks))
        fuzz_total = sum(statuses.values())
        ledger.add(
            name,
            f"hypothesis text at every step ({sizes.fuzz_examples} walks): answered 200",
            fuzz_total,
            statuses.get(200, 0),
            f"statuses {dict(statuses)}; alive after: {alive}",
        )
        # nothing stored that should not be
        stored = stored_external_ids(bot)
        addresses = participant_ids(bot)
        leaked = [s for s in refused_sids if ("sms", s) in stored]
        leaked += [str(u) for u in refused_updates if ("telegram", str(u)) in stored]
        leaked += [n for n in refused_numbers if ("sms", n) in addresses]
        leaked += ["eve"] if ("telegram", str(eve)) in addresses else []
        ledger.add(
            name,
            "refused requests: nothing stored",
            len(refused_sids) + len(refused_updates),
            len(refused_sids) + len(refused_updates) - len(leaked),
        )
        created = bot.scalar("SELECT count(*) FROM prompts")
        exports = list((workdir / "files").glob("*")) if (workdir / "files").exists() else []
        refusals = sum(
            1 for m in fakes.bot_messages() if "facilitator" in m["text"].lower()
        )  # fmt: skip
        ledger.add(
            name,
            "non-facilitators' commands: nothing created",
            len(commands) * 2,
            len(commands) * 2 if created == 0 and not exports else 0,
            f"{created} prompts, {len(exports)} files; {refusals} refusal notices queued",
        )
        unconsented = bot.scalar(
            "SELECT count(*) FROM answers a JOIN participants p ON p.id = a.participant_id"
            " WHERE p.consented_at IS NULL AND a.step_id != 'consent'"
        )
        profiles = bot.scalar(
            "SELECT count(*) FROM participants WHERE consented_at IS NULL AND profile != '{}'"
        )
        ledger.add(
            name,
            "no answer or profile kept without consent",
            1,
            1 if unconsented == 0 and profiles == 0 else 0,
            f"{unconsented} answers, {profiles} profiles",
        )
        crashes = [x for x in bot.errors() if "Traceback" in x or " ERROR " in x]
        ledger.add(
            name,
            "no crash (no ERROR or traceback in the bot's log)",
            1,
            0 if crashes else 1,
            crashes[0][:80] if crashes else "",
        )
