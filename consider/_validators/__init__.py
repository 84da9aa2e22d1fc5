"""Validators generated from schemas/ by ``python -m consider.codegen``."""
