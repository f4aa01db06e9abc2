"""Demo seeding (manage.py seed_demo): idempotent and quiet; nothing in the running site imports it."""
