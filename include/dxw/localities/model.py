"""Value types of the locality registry: a unit of one era, and the outcome of resolving a text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

LEVELS = ("province", "district", "commune")
ERAS = ("legacy", "2025")
#: Last day of the 63-province system and first day of the 34-province one.
LEGACY_END = date(2025, 6, 30)
REFORM_START = date(2025, 7, 1)


@dataclass(frozen=True, slots=True)
class Locality:
    """One administrative unit of one era; its code is an identity only together with the era."""

    code: str
    name: str
    full_name: str
    level: str
    era: str
    valid_from: date | None
    valid_to: date | None
    province_code: str
    district_code: str | None
    province_code_2025: str

    @property
    def key(self) -> str:
        """Stable identity across eras, e.g. "legacy:commune:06688"."""
        return f"{self.era}:{self.level}:{self.code}"

    def exists_on(self, on: date) -> bool:
        """Whether the unit existed on that day (open bounds are unlimited)."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolved unit, or why none was chosen (English, Vietnamese) and the candidates."""

    locality: Locality | None
    message_en: str | None
    message_vi: str | None
    candidates: tuple[Locality, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether exactly one unit was resolved."""
        return self.locality is not None
