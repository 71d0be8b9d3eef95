"""Warehouse health: schema up to date and role boundaries as designed."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from dxw.db.init import migrations

LAYERS = ("raw", "staging", "intermediate", "marts", "audit")


@dataclass(frozen=True, slots=True)
class HealthReport:
    """What the warehouse check found."""

    missing_schemas: tuple[str, ...]
    pending_migrations: tuple[str, ...]
    role: str

    @property
    def healthy(self) -> bool:
        return not self.missing_schemas and not self.pending_migrations


def check_warehouse(url: str) -> HealthReport:
    """Inspect the warehouse through `url` (any role that can see the audit schema)."""
    with psycopg.connect(url) as conn:
        role = conn.execute("select current_user").fetchone()[0]  # type: ignore[index]
        present = {
            row[0]
            for row in conn.execute(
                "select nspname from pg_namespace where nspname = any(%s)", (list(LAYERS),)
            )
        }
        applied = {row[0] for row in conn.execute("select version from audit.schema_migrations")}
    shipped = [version for version, _ in migrations()]
    return HealthReport(
        missing_schemas=tuple(s for s in LAYERS if s not in present),
        pending_migrations=tuple(v for v in shipped if v not in applied),
        role=role,
    )
