"""The partners app's part of the API (leoportal.api): the public catalogue and an organisation's own listings."""
