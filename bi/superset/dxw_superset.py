"""Superset-side steps of `dxw bi` and of the compose service superset-init.

Runs with the Python of Superset's own environment (never the project's: Superset needs
SQLAlchemy 1.4 and Flask 2), inside one Superset app context, so that a cold start pays for
one app start-up instead of one per `superset` CLI command:

    python dxw_superset.py setup  [--assets DIR]    migrate, admin, roles, then import DIR
                         [--uri-of DIR]    ... or only give DIR's database the current URI
    python dxw_superset.py import DIR               import the dashboards of DIR (overwrite)
    python dxw_superset.py export DIR               write every dashboard (and what it uses)

Secrets come from the environment, never from arguments (visible in `ps`):
DXW_SUPERSET_ADMIN_PASSWORD (setup), DXW_SUPERSET_WAREHOUSE_URI (setup with assets, import):
the warehouse URL of the read-only dxw_bi role, put into the database file in memory only.
The files written by `export` are Superset's own export, unchanged: `dxw bi export` (the
project's side) makes their names and ids stable and takes the password out.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ADMIN_ROLE = "Admin"
#: The database files of the bundle carry this placeholder instead of a URI with a password.
URI_PLACEHOLDER_PASSWORD = "XXXXXXXXXX"  # noqa: S105 - Superset's own mask, not a secret


def _say(message: str, *args: object) -> None:
    """Progress on stdout (Superset's app configures logging its own way)."""
    print(message % args, flush=True)


def _app() -> Any:
    from superset.app import create_app

    return create_app()


def migrate() -> None:
    """`superset db upgrade`: Superset's metadata schema at the installed version's head."""
    from flask_migrate import upgrade

    upgrade()


def ensure_admin(username: str, password: str, email: str) -> None:
    """Create the admin, or reset its password to the one in $DXW_HOME/secrets."""
    from superset import db, security_manager

    role = security_manager.find_role(ADMIN_ROLE)
    user = security_manager.find_user(username=username)
    if user is None:
        created = security_manager.add_user(
            username, "Superset", "Admin", email, role, password=password
        )
        if not created:
            raise SystemExit(f"could not create the Superset admin {username}")
        _say("created the Superset admin %s", username)
    else:
        security_manager.reset_password(user.id, password)
        if role not in user.roles:
            user.roles.append(role)
        _say("Superset admin %s kept, password set from the secrets file", username)
    db.session.commit()


def init_roles() -> None:
    """`superset init`: permissions and built-in roles; the Public role stays empty."""
    from superset import appbuilder, db, security_manager

    appbuilder.add_permissions(update_perms=True)
    security_manager.sync_role_definitions()
    public = security_manager.find_role("Public")
    if public is not None and public.permissions:
        # Anonymous users must see nothing (a Gamma-like Public role can create charts).
        public.permissions = []
    db.session.commit()


def read_bundle(folder: Path) -> dict[str, str]:
    """Every YAML file of an assets folder, keyed by its path relative to the folder."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.yaml"))
    }


def with_uri(contents: dict[str, str], uri: str) -> dict[str, str]:
    """The bundle with the real URI in its database file(s), in memory only."""
    import yaml

    result = dict(contents)
    for name, text in contents.items():
        if name.startswith("databases/"):
            config = yaml.safe_load(text)
            config["sqlalchemy_uri"] = uri
            result[name] = yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    return result


def import_assets(folder: Path, uri: str, username: str) -> int:
    """Import (overwrite) every database, dataset, chart and dashboard of `folder`."""
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.utils.core import override_user

    contents = with_uri(read_bundle(folder), uri)
    if "metadata.yaml" not in contents:
        raise SystemExit(f"{folder} is not a Superset assets bundle (no metadata.yaml)")
    user = security_manager.find_user(username=username)
    with override_user(user):
        ImportAssetsCommand(contents).run()
    return sum(1 for name in contents if name.startswith("dashboards/"))


def set_uri(folder: Path, uri: str) -> int:
    """Give the bundle's database(s), already in Superset, a new URI (port or password changed)."""
    import uuid

    import yaml
    from superset import db
    from superset.models.core import Database

    uuids = [
        uuid.UUID(str(yaml.safe_load(text)["uuid"]))
        for name, text in read_bundle(folder).items()
        if name.startswith("databases/")
    ]
    databases = db.session.query(Database).filter(Database.uuid.in_(uuids)).all()
    for database in databases:
        database.set_sqlalchemy_uri(uri)
    db.session.commit()
    return len(databases)


def export_assets(folder: Path, username: str) -> int:
    """Superset's export of every dashboard with its charts, datasets and database."""
    from superset import db, security_manager
    from superset.commands.dashboard.export import ExportDashboardsCommand
    from superset.models.dashboard import Dashboard
    from superset.utils.core import override_user

    folder.mkdir(parents=True, exist_ok=True)
    ids = [id_ for (id_,) in db.session.query(Dashboard.id).order_by(Dashboard.id)]
    with override_user(security_manager.find_user(username=username)):
        for name, content in ExportDashboardsCommand(ids).run():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content(), encoding="utf-8")
    return len(ids)


def _uri() -> str:
    uri = os.environ.get("DXW_SUPERSET_WAREHOUSE_URI")
    if not uri:
        raise SystemExit("DXW_SUPERSET_WAREHOUSE_URI is not set (the dxw_bi warehouse URL)")
    return uri


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin", default=os.environ.get("DXW_SUPERSET_ADMIN_USER", "admin"))
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("setup", help="migrate, admin, roles, then import --assets")
    setup.add_argument("--assets", type=Path, help="import this bundle")
    setup.add_argument("--uri-of", type=Path, help="only set the URI of this bundle's database(s)")
    setup.add_argument("--email", default="admin@dx-warehouse.invalid")
    setup.add_argument("--skip-migrate", action="store_true", help="schema known to be current")
    importing = commands.add_parser("import", help="import an assets folder")
    importing.add_argument("folder", type=Path)
    exporting = commands.add_parser("export", help="export every dashboard into a folder")
    exporting.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    app = _app()
    with app.app_context():
        if args.command == "setup":
            password = os.environ.get("DXW_SUPERSET_ADMIN_PASSWORD")
            if not password:
                raise SystemExit("DXW_SUPERSET_ADMIN_PASSWORD is not set")
            if not args.skip_migrate:
                migrate()
                _say("metadata schema migrated")
                init_roles()
                _say("roles and permissions synchronised")
            ensure_admin(args.admin, password, args.email)
            if args.assets:
                count = import_assets(args.assets, _uri(), args.admin)
                _say("imported %d dashboard(s) from %s", count, args.assets)
            elif args.uri_of:
                count = set_uri(args.uri_of, _uri())
                _say("set the warehouse URI of %d database(s)", count)
        elif args.command == "import":
            count = import_assets(args.folder, _uri(), args.admin)
            _say("imported %d dashboard(s) from %s", count, args.folder)
        else:
            count = export_assets(args.folder, args.admin)
            _say("exported %d dashboard(s) into %s", count, args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
