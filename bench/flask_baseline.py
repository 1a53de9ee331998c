"""Bench 2's baseline: an SMS webhook written as in Twilio's Flask quickstart.

`RequestValidator` in a decorator (Twilio's "secure your Flask app" guide), a
`MessagingResponse` reply, and Flask's own development server (threaded, as `app.run`
starts it). It stores nothing: Baraza's side of the comparison commits a whole turn.

    TWILIO_AUTH_TOKEN=secret python -m bench.flask_baseline --port 5000
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, request
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

app = Flask(__name__)


def validate_twilio_request(f: Callable[..., Any]) -> Callable[..., Any]:
    """Validates that incoming requests genuinely originated from Twilio."""

    @wraps(f)
    def decorated_function(*args: Any, **kwargs: Any) -> Any:
        validator = RequestValidator(os.environ.get("TWILIO_AUTH_TOKEN"))
        request_valid = validator.validate(
            request.url, request.form, request.headers.get("X-TWILIO-SIGNATURE", "")
        )
        if request_valid:
            return f(*args, **kwargs)
        return abort(403)

    return decorated_function


@app.route("/sms/inbound", methods=["GET", "POST"])
@validate_twilio_request
def incoming_sms() -> str:
    """Send a dynamic reply to an incoming text message."""
    resp = MessagingResponse()
    resp.message("Thank you! What is your main concern?")
    return str(resp)


@app.route("/healthz")
def healthz() -> str:
    return "ok"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    app.run(host="127.0.0.1", port=args.port, debug=False)


if __name__ == "__main__":
    main()
