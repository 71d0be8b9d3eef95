"""Value types of the locality registry: a unit of one era, and the outcome of resolving a text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

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
    """A resolved unit, or why none was chosen and the candidates.

    `reason` is a message of the catalog (`dxw.submission.messages.M`) that renders itself in
    English and Vietnamese; `ambiguous` tells a text that names several units from one that
    names none on that day.
    """

    locality: Locality | None
    reason: Any = None
    candidates: tuple[Locality, ...] = ()
    ambiguous: bool = False

    @property
    def ok(self) -> bool:
        """Whether exactly one unit was resolved."""
        return self.locality is not None

    @property
    def message_en(self) -> str | None:
        """Why no unit was chosen, in English."""
        return None if self.reason is None else str(self.reason.render("en"))

    @property
    def message_vi(self) -> str | None:
        """Why no unit was chosen, in Vietnamese."""
        return None if self.reason is None else str(self.reason.render("vi"))
