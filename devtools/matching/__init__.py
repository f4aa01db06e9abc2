"""Fitting and measuring the matching engine (``projects.matching``) on real flights: see ``evaluation.py``."""
