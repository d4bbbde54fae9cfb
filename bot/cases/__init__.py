"""Cases: submitting a report or a crisis, the reporter's check-in, case codes and PINs, the audit
trail and attachments."""
