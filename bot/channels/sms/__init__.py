"""The SMS channel through Twilio: `webhook` (signed webhooks, shared with WhatsApp),
`twilio` (the REST client and its errors, shared with WhatsApp), `gsm7` (encodings and
segments), `transport` (a message -> single-segment parts), `channel` (the whole)."""

from bot.channels.sms.channel import SmsChannel
from bot.channels.sms.transport import CHANNEL
from bot.channels.sms.webhook import EMPTY_TWIML, TwilioWebhooks

__all__ = ["CHANNEL", "EMPTY_TWIML", "SmsChannel", "TwilioWebhooks"]
