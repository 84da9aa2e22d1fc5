"""Writing a user's file whole or not at all: a spec answered by ``consider ask``, a new spec
from ``consider init``, a baseline."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and one rename,
    so a reader (or a Ctrl-C) never sees half a file.

    A symlink is followed: the file it points to is replaced and the link stays a link. An
    existing file keeps its permissions; a new one gets the usual ones (0666 less the umask).
    An OSError leaves the original as it was and no temporary file behind.
    """
    target = Path(os.path.realpath(path))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _mode(target))
        os.replace(temporary, target)
    except BaseException:  # an OSError, or Ctrl-C between the write and the rename
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
