"""The errors that reach users: each names the file, the place and the fix."""

from __future__ import annotations

from typing import Any


class ConsiderError(Exception):
    """A run that cannot be made (exit code 2): bad usage, unreadable YAML, an invalid pack."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (``check --jobs``) as pickles. The default rebuilds
        # an exception as ``cls(*args)``: it would lose the keyword-only place for a subclass
        # whose constructor differs, so the place is carried explicitly.
        return (_rebuild, (type(self), self.message, self.path, self.line, self.column))


class InputError(ConsiderError):
    """A spec or config file that cannot be read as YAML at all."""


class PackError(ConsiderError):
    """A rule pack that does not validate, or a condition that does not compile."""


class UsageError(ConsiderError):
    """A command line that asks for something that does not exist."""


def _rebuild(
    kind: type[ConsiderError], message: str, path: str | None, line: int | None, column: int | None
) -> ConsiderError:
    """An error back from a pickle, whatever its class's constructor asks for."""
    error = kind.__new__(kind)
    ConsiderError.__init__(error, message, path=path, line=line, column=column)
    return error
