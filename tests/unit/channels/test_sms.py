from twilio.request_validator import RequestValidator

from bot.channels.sms import numbered


def test_twilio_published_test_vector() -> None:
    # From Twilio's security documentation: this is what our webhook check relies on.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    validator = RequestValidator("12345")
    assert validator.validate(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not validator.validate(url, {**params, "Digits": "9999"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


def test_buttons_become_numbered_lines() -> None:
    buttons = [{"title": "Da", "payload": "/affirm"}, {"title": "Ne", "payload": "/deny"}]
    assert numbered("Je li neko u opasnosti?", buttons) == "Je li neko u opasnosti?\n1 Da\n2 Ne"
    assert numbered("Bez dugmadi.", []) == "Bez dugmadi."
