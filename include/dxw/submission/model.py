"""The outcome of a successful validation: typed header fields and typed rows per table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dxw.submission.locality import Locality, LocalityResolution
from dxw.submission.periods import Period
from dxw.submission.problems import Problem

Row = tuple[object, ...]


@dataclass(frozen=True)
class ValidatedSubmission:
    """A valid submission; row tuples follow `TABLES[name].columns`, ready for COPY.

    Row types: indicators (code str, value int|float|None, note str|None); wifi_points
    (point_id, name, commune, latitude float, longitude float, status 'active'|'inactive',
    commissioned_on date); network_links (unit_name, unit_level, connected bool, connected_on
    date, bandwidth_mbps); goals (goal_code, pillar, status, framework, title, target_year int);
    goal_summary (framework, pillar, goals_total, goals_achieved, goals_in_progress,
    reported_pct). Blank cells are None. `source_rows[name][i]` is the row number of
    `tables[name][i]` in the file (xlsx/csv: spreadsheet row; json: array index + 1).
    """

    carrier: str
    source_name: str
    locality_text: str
    resolution: LocalityResolution
    period: Period
    submitted_on: date
    agency: str | None
    contact_email: str | None = field(repr=False)
    framework: str | None
    indicators: list[Row] = field(default_factory=list, repr=False)
    wifi_points: list[Row] = field(default_factory=list, repr=False)
    network_links: list[Row] = field(default_factory=list, repr=False)
    goals: list[Row] = field(default_factory=list, repr=False)
    goal_summary: list[Row] = field(default_factory=list, repr=False)
    warnings: tuple[Problem, ...] = ()
    #: Per table, the row number (as the locality sees it) of each row tuple, for lineage.
    source_rows: Mapping[str, Sequence[int]] = field(default_factory=dict, repr=False)

    @property
    def locality(self) -> Locality:
        """The resolved locality."""
        assert self.resolution.locality is not None
        return self.resolution.locality

    @property
    def tables(self) -> dict[str, list[Row]]:
        """Row tuples per table name."""
        return {
            "indicators": self.indicators,
            "wifi_points": self.wifi_points,
            "network_links": self.network_links,
            "goals": self.goals,
            "goal_summary": self.goal_summary,
        }
