"""Run consider as ``python -m consider``."""

from __future__ import annotations

from consider.script import main

if __name__ == "__main__":
    main()
