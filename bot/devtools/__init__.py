"""Development tools: fake Telegram and Twilio APIs, the demo settings, the simulator."""
