"""WhatsApp through Twilio, as its own channel: a `whatsapp:+E164` address is its own
identity (never merged with the same number by SMS). Messages arrive on the SMS channel's
Twilio webhooks (`bot.channels.sms.webhook`); `transport` knows the 24-hour window
(`window`) and the template to use outside it; `channel` is the whole."""
