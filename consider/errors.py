"""The errors that reach users: each names the file, the place and the fix."""

from __future__ import annotations


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


class InputError(ConsiderError):
    """A spec or config file that cannot be read as YAML at all."""


class PackError(ConsiderError):
    """A rule pack that does not validate, or a condition that does not compile."""


class UsageError(ConsiderError):
    """A command line that asks for something that does not exist."""
