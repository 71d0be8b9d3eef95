"""The locality resolver this module is given: a callable from (text, date) to a resolution."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol


class Locality(Protocol):
    """An administrative unit of one era, as the locality registry describes it."""

    @property
    def code(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def era(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


class LocalityResolution(Protocol):
    """The unit a text names on a day, or None with the reason in English and Vietnamese."""

    @property
    def locality(self) -> Locality | None: ...

    @property
    def message_en(self) -> str | None: ...

    @property
    def message_vi(self) -> str | None: ...


Resolver = Callable[[str, date], LocalityResolution]
