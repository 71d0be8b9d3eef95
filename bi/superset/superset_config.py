"""Superset settings for dx-warehouse (`dxw bi up`); every path and secret comes from the
environment that `dxw bi` sets, nothing secret is written here.

- DXW_SUPERSET_HOME: Superset's state (metadata SQLite database, uploads), under $DXW_HOME;
- DXW_SUPERSET_SECRETS_FILE: $DXW_HOME/secrets/superset.json (mode 0600), whose
  `secret_key` signs sessions and encrypts the stored database password.
"""

import json
import os
from pathlib import Path

_home = Path(os.environ["DXW_SUPERSET_HOME"])
_secrets = json.loads(Path(os.environ["DXW_SUPERSET_SECRETS_FILE"]).read_text(encoding="utf-8"))

SECRET_KEY = _secrets["secret_key"]
# One local user at a time: Superset's metadata in a SQLite file under $DXW_HOME/superset
# (the compose stack uses a PostgreSQL database of its own instead).
SQLALCHEMY_DATABASE_URI = f"sqlite:///{_home / 'superset.db'}?check_same_thread=false"
DATA_DIR = str(_home / "data")
UPLOAD_FOLDER = str(_home / "uploads") + "/"

# No anonymous access: the Public role gets no permission (never copy Gamma into it).
PUBLIC_ROLE_LIKE = None
AUTH_ROLE_PUBLIC = "Public"
# Nobody signs up: the admin is created by `dxw bi up`.
AUTH_USER_REGISTRATION = False

# This machine (and many a government network) has no route to the internet: no telemetry,
# no external fonts or map tiles, no version check.
TALISMAN_ENABLED = True
CONTENT_SECURITY_POLICY_WARNING = False
# Superset's default policy, less the telemetry pixel and the remote map tiles and fonts.
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
FEATURE_FLAGS = {
    "DASHBOARD_RBAC": False,
    "ENABLE_TEMPLATE_PROCESSING": False,
    "THUMBNAILS": False,
    "ALERT_REPORTS": False,
    "TAGGING_SYSTEM": False,
}
# Nobody uploads files into the warehouse through Superset (its role could not write anyway).
CSV_EXTENSIONS: set[str] = set()
EXCEL_EXTENSIONS: set[str] = set()
COLUMNAR_EXTENSIONS: set[str] = set()

# Superset has no Vietnamese translation: the interface is English, the dashboards bilingual.
BABEL_DEFAULT_LOCALE = "en"
LANGUAGES = {"en": {"flag": "us", "name": "English"}}

SUPERSET_WEBSERVER_TIMEOUT = 120
ROW_LIMIT = 10000
