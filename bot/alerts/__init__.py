"""Staff alerts: composing them, the crisis details they carry, alert storms, acknowledgement, and
what staff write back (commands, enrolment)."""
