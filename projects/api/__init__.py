"""The projects app's part of the API (leoportal.api): a researcher's proposals and a provider's introductions."""
