"""Errors raised on bad input.

Every loader raises :class:`InputError` (a :class:`ValueError`) when a file cannot be
used. The message names the file, the row (where there is one), what was expected
and how to fix it, so that the command line and the dashboard can show it to a
person as it is, without a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """A file or value that cannot be loaded.

    Parameters
    ----------
    problem : str
        What is wrong, in plain words.
    file : str, optional
        The file's name (or path) the problem is in.
    row : int, optional
        The 1-based data row (the header is row 0) where the problem was found.
    expected : str, optional
        What was expected instead.
    fix : str, optional
        How to fix it.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        row: int | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.row = row
        self.expected = expected
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The whole message, one sentence a part."""
        where = ""
        if self.file:
            where = f"{self.file}"
            if self.row is not None:
                where += f", row {self.row}"
            where += ": "
        parts = [f"{where}{self.problem}"]
        if self.expected:
            parts.append(f"Expected {self.expected}.")
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return " ".join(p if p.endswith((".", ":", "?", "!")) else p + "." for p in parts)
