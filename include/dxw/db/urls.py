"""Role URLs of the warehouse, embedded or external."""

from __future__ import annotations

import os
from urllib.parse import quote, urlsplit, urlunsplit

from dxw.config import ENV_ROLE_PASSWORD, Settings, settings
from dxw.db.embedded import ROLE_NAMES, EmbeddedPostgres


class MissingPasswordError(RuntimeError):
    """An external warehouse was configured without a role's password."""


def role_password(role: str, config: Settings | None = None) -> str:
    """Password of a least-privilege role: generated when embedded, from the environment if not."""
    config = config or settings()
    if config.embedded:
        return EmbeddedPostgres(config).passwords()[role]
    variable = ENV_ROLE_PASSWORD.get(role)
    value = os.environ.get(variable) if variable else None
    if not value:
        raise MissingPasswordError(
            f"Set {variable} to give the {ROLE_NAMES[role]} role a password."
        )
    return value


def with_role(url: str, role: str, password: str, database: str | None = None) -> str:
    """The same server URL with another user, password and optionally database."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{ROLE_NAMES[role]}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    path = f"/{database}" if database else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, parts.fragment))


def warehouse_url(role: str = "owner", config: Settings | None = None) -> str:
    """libpq URL of the warehouse database for `role` (owner, loader, transformer, bi)."""
    config = config or settings()
    if config.embedded:
        return EmbeddedPostgres(config).url(role)
    assert config.warehouse_url is not None
    if role == "owner":
        return config.warehouse_url
    return with_role(config.warehouse_url, role, role_password(role, config))


def redact(url: str) -> str:
    """The URL with its password replaced, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
