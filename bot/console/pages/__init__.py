"""The console's pages, one module per part: sign-in and invitations, the queue, the case
page with its actions, and administration (accounts; the coordinator's audit log)."""
