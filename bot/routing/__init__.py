"""Where a case goes and how fast: the triage rules, deadlines, referrals, responders and escalation."""
