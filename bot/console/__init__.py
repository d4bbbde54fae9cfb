"""The counsellors' console (issue 11): staff accounts with a password and TOTP two-factor,
invited from the directory's responders. The web pages come on top of these."""
