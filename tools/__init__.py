"""Development tools: generators of code and docs, not shipped in the wheel.

``python -m tools.regen`` regenerates every generated file.
"""
