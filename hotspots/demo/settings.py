"""What the demo generator plants, and how strongly: the region's shape, its local
authorities and police forces, the crime categories and their rates, the hotspot and
emerging-area levels and the Home Office offence codes.

The rates, levels and codes are recorded in ``planted_truth.json`` (its ``model`` section)
beside what was planted.
"""

from __future__ import annotations

from dataclasses import dataclass

CENTRE = (193_000.0, 274_000.0)
"""Centre of the fictional land, EPSG:27700 (at sea in Cardigan Bay, >20 km from land)."""
SEMI_AXES = (15_000.0, 22_000.0)
NEAR_COAST_M = (300.0, 1_700.0)  # "just off the coast": within 2 km of a ward
FAR_SEA_M = (3_500.0, 9_000.0)  # "far out to sea": more than 2 km from every ward
COAST_LIMIT_M = 2_000.0  # the line between the two: within it a point goes to its nearest ward
RATE_SCALE = 0.68  # overall scale on the base rates: ~215k police.uk rows in 24 months

LAS = (
    # (English name, Welsh name)
    ("Seithenyn City", "Dinas Seithenyn"),
    ("Aberwyddno", "Aberwyddno"),
    ("Vale of Helig", "Bro Helig"),
    ("Garanhir", "Garanhir"),
    ("Mererid Coast", "Glannau Mererid"),
)
FORCES = (
    # (police force area name, slug used in police.uk file names, extract reference prefix)
    ("Cantre Gwaelod", "cantre-gwaelod", "CG"),
    ("Maes Gwyddno", "maes-gwyddno", "MG"),
)
LA_FORCE = (0, 0, 1, 1, 1)  # force index of each local authority


@dataclass(frozen=True)
class Category:
    """One police.uk crime type and how its rate is planted."""

    name: str
    slug: str
    base_rate: float  # per 1,000 residents per year at average deprivation
    beta: float  # log-rate change per standard deviation of deprivation
    hotspot: float  # multiplier in violence hotspot wards
    drug_hotspot: float  # multiplier in drug hotspot wards
    season: float  # amplitude of the summer peak
    december: float  # December factor
    night: bool  # night-time (True) or daytime (False) time profile
    victim: bool  # offences with a personal victim
    emerging: bool  # rises in the emerging wards


CATEGORIES: tuple[Category, ...] = (
    Category("Anti-social behaviour", "anti_social_behaviour",
              21.0, 0.30, 1.8, 1.0, 0.25, 1.00, True, False, False),
    Category("Bicycle theft", "bicycle_theft",
              1.1, 0.05, 1.0, 1.0, 0.20, 0.80, False, True, False),
    Category("Burglary", "burglary", 4.5, 0.20, 1.2, 1.0, 0.05, 1.10, True, True, False),
    Category("Criminal damage and arson", "criminal_damage_and_arson",
              9.0, 0.30, 1.5, 1.0, 0.10, 1.00, True, True, False),
    Category("Drugs", "drugs", 3.8, 0.35, 1.3, 5.0, 0.05, 1.00, True, False, False),
    Category("Other crime", "other_crime", 1.6, 0.20, 1.3, 1.0, 0.00, 1.00, False, False, False),
    Category("Other theft", "other_theft", 7.5, 0.10, 1.3, 1.0, 0.05, 1.10, False, True, False),
    Category("Possession of weapons", "possession_of_weapons",
              0.55, 0.35, 3.5, 1.5, 0.10, 1.00, True, False, True),
    Category("Public order", "public_order", 7.0, 0.30, 2.0, 1.0, 0.15, 1.15, True, False, False),
    Category("Robbery", "robbery", 0.4, 0.40, 3.5, 1.5, 0.05, 1.10, True, True, True),
    Category("Shoplifting", "shoplifting", 7.0, 0.10, 1.5, 1.0, 0.00, 1.15, False, True, False),
    Category("Theft from the person", "theft_from_the_person",
              0.7, 0.20, 2.0, 1.0, 0.05, 1.20, True, True, False),
    Category("Vehicle crime", "vehicle_crime", 5.5, 0.15, 1.1, 1.0, 0.00, 1.00, True, True, False),
    Category("Violence and sexual offences", "violence_and_sexual_offences",
              30.0, 0.35, 5.0, 1.0, 0.15, 1.20, True, True, True),
)  # fmt: skip
ASB = 0
# Emerging areas: violence rises slowly from 1 to EMERGING_MID at month EMERGING_START
# (an index into MONTHS), then fast to EMERGING_END in the last month; the ring of wards
# around an emerging ward gets EMERGING_RING_LEVEL of that rise.
EMERGING_START = 19
EMERGING_MID = 1.4
EMERGING_END = 2.8
EMERGING_RING_LEVEL = 0.8
WARD_EFFECT_SD = 0.25  # sd of the log of a ward-level random effect on every crime rate
N_CLUSTERS = 3  # violence hotspot clusters: a core ward and its whole ring of neighbours
RING_SIZES = (5, 7)  # a core has this many neighbours (clusters of 6 to 8 wards)
RING_LEVEL = 0.8  # share of the hotspot multiplier's excess a ring ward gets (core: 1)
FRINGE_LEVEL = 0.35  # the same for the wards bordering a cluster (a gradient, not a hotspot)
HOTSPOT_DEPRIVATION = 1.0  # height of the deprivation bump around each hotspot area

# Home Office offence codes by police.uk crime type: (code, description, weight).
HO_CODES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "Bicycle theft": (("44", "Theft of a pedal cycle", 1.0),),
    "Burglary": (
        ("28E", "Burglary - residential", 0.70),
        ("30C", "Burglary - business and community", 0.285),
        ("29", "Aggravated burglary - residential", 0.012),
        ("31", "Aggravated burglary - business and community", 0.003),
    ),
    "Criminal damage and arson": (
        ("58A", "Criminal damage to a dwelling", 0.35),
        ("58B", "Criminal damage to a building other than a dwelling", 0.15),
        ("58C", "Criminal damage to a vehicle", 0.30),
        ("58D", "Other criminal damage", 0.15),
        ("56B", "Arson not endangering life", 0.05),
    ),
    "Drugs": (
        ("92A", "Trafficking in controlled drugs", 0.20),
        ("92C", "Other drug offences", 0.01),
        ("92D", "Possession of controlled drugs (cannabis)", 0.55),
        ("92E", "Possession of controlled drugs (excluding cannabis)", 0.24),
    ),
    "Other crime": (
        ("66", "Other offences against the State or public order", 0.55),
        ("802", "Dangerous driving", 0.25),
        ("33", "Going equipped for stealing", 0.20),
    ),
    "Other theft": (("49", "Other theft", 1.0),),
    "Possession of weapons": (
        ("10D", "Possession of article with blade or point", 0.60),
        ("10C", "Possession of other weapons", 0.40),
    ),
    "Public order": (
        ("9A", "Public fear, alarm or distress", 0.85),
        ("9B", "Racially or religiously aggravated public fear, alarm or distress", 0.12),
        ("62A", "Violent disorder", 0.03),
    ),
    "Robbery": (
        ("34A", "Robbery of business property", 0.12),
        ("34B", "Robbery of personal property", 0.88),
    ),
    "Shoplifting": (("46", "Shoplifting", 1.0),),
    "Theft from the person": (("39", "Theft from the person", 1.0),),
    "Vehicle crime": (
        ("45", "Theft from a vehicle", 0.55),
        ("48", "Theft or unauthorised taking of a motor vehicle", 0.35),
        ("37.2", "Aggravated vehicle taking", 0.02),
        ("126", "Interfering with a motor vehicle", 0.08),
    ),
    "Violence and sexual offences": (
        ("1", "Murder", 0.0006),
        ("4.1", "Manslaughter", 0.0002),
        ("2", "Attempted murder", 0.0008),
        ("3A", "Conspiracy to murder", 0.0004),
        ("3B", "Threats to kill", 0.02),
        ("5D", "Assault with intent to cause serious harm", 0.012),
        ("5E", "Endangering life", 0.004),
        ("8N", "Assault with injury", 0.24),
        ("8P", "Racially or religiously aggravated assault with injury", 0.004),
        ("8S", "Assault with injury on a constable", 0.006),
        ("105A", "Assault without injury", 0.33),
        ("104", "Assault without injury on a constable", 0.02),
        ("8L", "Harassment", 0.10),
        ("8Q", "Stalking", 0.05),
        ("8R", "Malicious communications", 0.09),
        ("19C", "Rape of a female aged 16 and over", 0.012),
        ("19D", "Rape of a female aged under 16", 0.003),
        ("19E", "Rape of a female child under 13", 0.002),
        ("19F", "Rape of a male aged 16 and over", 0.0015),
        ("19G", "Rape of a male aged under 16", 0.0005),
        ("19H", "Rape of a male child under 13", 0.0008),
        ("17A", "Sexual assault on a male aged 13 and over", 0.003),
        ("20A", "Sexual assault on a female aged 13 and over", 0.02),
    ),
}
