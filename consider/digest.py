"""Content hashes for fingerprints and cache keys, cheap to start.

``hashlib`` initialises OpenSSL when imported, 2 to 3 ms that every pre-commit run would pay.
CPython's own BLAKE2 module gives the same hash without it; hashlib's is the fallback on an
interpreter built without that module.
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - every CPython we support has _blake2
    from hashlib import blake2b


def hexdigest(*parts: bytes, size: int = 16) -> str:
    """A hex BLAKE2b digest of ``size`` bytes over the parts, each delimited."""
    digest = blake2b(digest_size=size)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()
