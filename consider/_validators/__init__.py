"""Validators generated from schemas/ by ``python -m tools.regen``."""
