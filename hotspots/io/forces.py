"""The police forces: the forces police.uk publishes, the key a force's name is matched
by, and the check that a police.uk file names a known force, the same in its name and
its rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotspots.errors import N_, InputError, Text
from hotspots.slugs import force_key

if TYPE_CHECKING:
    from hotspots.io.crime_table import CrimeFile


#: The police forces police.uk publishes street files for: the slug of its file names
#: (``YYYY-MM-<slug>-street.csv``) → the names its rows give in "Reported by" and "Falls
#: within" (and other names a force goes by).
POLICE_UK_FORCES = {
    "avon-and-somerset": ("Avon and Somerset Constabulary",),
    "bedfordshire": ("Bedfordshire Police",),
    "btp": ("British Transport Police",),
    "cambridgeshire": ("Cambridgeshire Constabulary",),
    "cheshire": ("Cheshire Constabulary",),
    "city-of-london": ("City of London Police",),
    "cleveland": ("Cleveland Police",),
    "cumbria": ("Cumbria Constabulary",),
    "derbyshire": ("Derbyshire Constabulary",),
    "devon-and-cornwall": ("Devon & Cornwall Police",),
    "dorset": ("Dorset Police",),
    "durham": ("Durham Constabulary",),
    "dyfed-powys": ("Dyfed-Powys Police", "Heddlu Dyfed-Powys"),
    "essex": ("Essex Police",),
    "gloucestershire": ("Gloucestershire Constabulary",),
    "greater-manchester": ("Greater Manchester Police",),
    "gwent": ("Gwent Police", "Heddlu Gwent"),
    "hampshire": ("Hampshire Constabulary", "Hampshire and Isle of Wight Constabulary"),
    "hertfordshire": ("Hertfordshire Constabulary",),
    "humberside": ("Humberside Police",),
    "kent": ("Kent Police",),
    "lancashire": ("Lancashire Constabulary",),
    "leicestershire": ("Leicestershire Police",),
    "lincolnshire": ("Lincolnshire Police",),
    "merseyside": ("Merseyside Police",),
    "metropolitan": ("Metropolitan Police Service", "Metropolitan Police"),
    "norfolk": ("Norfolk Constabulary",),
    "north-wales": ("North Wales Police", "Heddlu Gogledd Cymru"),
    "north-yorkshire": ("North Yorkshire Police",),
    "northamptonshire": ("Northamptonshire Police",),
    "northern-ireland": ("Police Service of Northern Ireland",),
    "northumbria": ("Northumbria Police",),
    "nottinghamshire": ("Nottinghamshire Police",),
    "south-wales": ("South Wales Police", "Heddlu De Cymru"),
    "south-yorkshire": ("South Yorkshire Police",),
    "staffordshire": ("Staffordshire Police",),
    "suffolk": ("Suffolk Constabulary",),
    "surrey": ("Surrey Police",),
    "sussex": ("Sussex Police",),
    "thames-valley": ("Thames Valley Police",),
    "warwickshire": ("Warwickshire Police",),
    "west-mercia": ("West Mercia Police",),
    "west-midlands": ("West Midlands Police",),
    "west-yorkshire": ("West Yorkshire Police",),
    "wiltshire": ("Wiltshire Police",),
}
_KNOWN_FORCES = {
    force_key(k): slug for slug, names in POLICE_UK_FORCES.items() for k in (slug, *names)
}


def known_force(text: str, extra: dict[str, str] | None = None) -> str | None:
    """The slug of the police force ``text`` names (a police.uk force, or one of
    ``extra``: :func:`force_key` → slug, e.g. from the loaded local authority → force
    lookup), or None when it names none."""
    key = force_key(text)
    if not key:
        return None
    return _KNOWN_FORCES.get(key) or (extra or {}).get(key)


@dataclass(frozen=True)
class ForceEvidence:
    """What names the force of a police.uk file: its rows and its name.

    Attributes
    ----------
    rows_name : str or None
        The force the rows give ("Reported by", else "Falls within"); None when they
        give none.
    row : int or None
        The first data row giving it.
    file_name : str or None
        The force in the file name (``YYYY-MM-<force>-street.csv``), as written.
    """

    rows_name: str | None = None
    row: int | None = None
    file_name: str | None = None


def check_force(crime_file: CrimeFile, extra: dict[str, str] | None = None) -> None:
    """Refuse a police.uk file whose force is not a known police force, or whose name
    says another force than its rows.

    Parameters
    ----------
    crime_file : CrimeFile
    extra : dict, optional
        Forces known besides police.uk's (:func:`force_key` → slug), e.g. those of the
        loaded local authority → force lookup.

    Raises
    ------
    InputError
        Naming the file, the row and the force.
    """
    if crime_file.force is not None:
        check_force_evidence(crime_file.force, crime_file.name, extra)


def check_force_evidence(ev: ForceEvidence, name: str, extra: dict[str, str] | None = None) -> None:
    """:func:`check_force` of the evidence ``ev`` of the file ``name``."""
    listed = Text(
        N_(
            "one of police.uk's forces (e.g. Dyfed-Powys Police, South Wales Police) or of "
            "the loaded local authority → force lookup"
        )
        if extra
        else N_("one of police.uk's forces (e.g. Dyfed-Powys Police, South Wales Police)")
    )
    if ev.rows_name is not None:
        rows = known_force(ev.rows_name, extra)
        if rows is None:
            raise InputError(
                N_("the rows name the force {force}, which is not a known police force"),
                file=name,
                row=ev.row,
                expected=N_("in Reported by / Falls within, {listed}"),
                fix=N_(
                    "load the file as police.uk published it (a force extract "
                    "goes with 'load crimes-extract'), or load the lookup of the force's area"
                ),
                values={"force": repr(ev.rows_name), "listed": listed},
            )
        by_name = known_force(ev.file_name, extra) if ev.file_name else None
        if by_name is not None and by_name != rows:
            raise InputError(
                N_("the file name says the force is {named} but its rows say {force}"),
                file=name,
                row=ev.row,
                expected=N_("the force of the rows in the name (YYYY-MM-<force>-street.csv)"),
                fix=N_("check this is the right file, or rename it ...-{rows}-street.csv"),
                values={"named": repr(ev.file_name), "force": repr(ev.rows_name), "rows": rows},
            )
        return
    if ev.file_name is None or known_force(ev.file_name, extra) is None:
        raise InputError(
            N_(
                "the file does not say which police force's crimes it holds ({named} in its "
                "name is not a known police force)"
            )
            if ev.file_name
            else N_("the file does not say which police force's crimes it holds"),
            file=name,
            expected=N_(
                "a Reported by or Falls within column naming {listed}, or a name "
                "YYYY-MM-<force>-street.csv"
            ),
            fix=N_("load the file as police.uk published it, with its Reported by column"),
            values={"named": repr(ev.file_name), "listed": listed},
        )
