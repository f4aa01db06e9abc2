"""leoportal's domain: what the site does for every app (notifications and their e-mails, background jobs, the
outbox sweep, invitations, API tokens, the second factor, the pages kept for visitors, task failures)."""
