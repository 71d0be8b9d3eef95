"""Superset settings for the dx-warehouse compose stack; every secret comes from the environment."""

import os

from sqlalchemy.engine import URL

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]

# Superset's own metadata database (service superset-db), not the warehouse.
SQLALCHEMY_DATABASE_URI = URL.create(
    "postgresql+psycopg2",
    username=os.environ.get("SUPERSET_DB_USER", "superset"),
    password=os.environ["SUPERSET_DB_PASSWORD"],
    host=os.environ.get("SUPERSET_DB_HOST", "superset-db"),
    port=int(os.environ.get("SUPERSET_DB_PORT", "5432")),
    database=os.environ.get("SUPERSET_DB_NAME", "superset"),
).render_as_string(hide_password=False)

# The warehouse itself is registered by superset-init (docker/superset/superset-init.sh) with the
# read-only dxw_bi role; Superset databases do not allow DML unless an admin enables it.
