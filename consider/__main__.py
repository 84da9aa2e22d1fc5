"""Run consider as ``python -m consider``."""

from __future__ import annotations

from consider.cli import main

if __name__ == "__main__":
    main()
