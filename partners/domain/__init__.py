"""The partners app's domain: organisations and their members, listings, capability files (plan, upload, import)
and the catalogue's queries. Views, the admin, tasks and commands call these functions."""
