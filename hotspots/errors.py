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

    def localised(self, lang: str = "en") -> str:
        """:attr:`message` in ``lang``: the frame ("FILE, row N: …", "Expected …",
        "Fix: …") always, and the problem, the expectation and the fix where the
        catalogue has their text (the common ones, :data:`COMMON_TEXTS`); a text made
        from the file's own values stays in English."""
        if lang == "en":
            return self.message
        from hotspots.i18n import translator

        tr = translator(lang)

        def _(text: str) -> str:  # "" would give the catalogue's header
            return tr(text) if text else text

        where = ""
        if self.file:
            where = (
                _("{file}, row {row}: ").format(file=self.file, row=self.row)
                if self.row is not None
                else _("{file}: ").format(file=self.file)
            )
        parts = [where + _(self.problem)]
        if self.expected:
            parts.append(_("Expected {what}.").format(what=_(self.expected).rstrip(".")))
        if self.fix:
            parts.append(_("Fix: {how}").format(how=_(self.fix)))
        return " ".join(p if p.endswith((".", ":", "?", "!")) else p + "." for p in parts)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention (hotspots.i18n.N_)
    return message


#: The problems, expectations and fixes the readers give most often, in the catalogue so
#: that :meth:`InputError.localised` shows them in Welsh (texts built from a file's own
#: values, e.g. a column name, stay in English).
COMMON_TEXTS = (
    N_("the file is empty"),
    N_("the file has no header line"),
    N_("the file has a header but no rows"),
    N_("the file cannot be read as CSV"),
    N_("the file holds no features"),
    N_("the file has no coordinate reference system"),
    N_("the file has a table but no geometry"),
    N_("the zip is damaged or incomplete"),
    N_("the zip holds no Shapefile (.shp)"),
    N_("the zip holds no police.uk street CSVs"),
    N_("the folder holds no police.uk street CSVs"),
    N_("no such file or folder"),
    N_("no ward code column"),
    N_("a feature has no ward code"),
    N_("no location columns"),
    N_("the crime reference is blank"),
    N_("the Home Office code is blank"),
    N_("the population year is not known"),
    N_("the definition is not UTF-8 text"),
    N_("the mapping is not UTF-8 text"),
    N_("the file does not say which police force's crimes it holds"),
    N_("download or copy it again"),
    N_("save it as UTF-8"),
    N_("a header line and at least one data row"),
    N_("column names on the first line"),
    N_("at least one data row"),
    N_("one polygon per ward"),
    N_("check that this is the ONS lookup, with the columns as published"),
    N_("load the matching ward boundaries or lookup"),
    N_("use the ONS best-fit LSOA21 → ward lookup"),
    N_("a best-fit lookup: one ward per 2021 LSOA"),
)
