#!/usr/bin/env bash
# One-shot initialisation of Superset for dx-warehouse (compose service superset-init).
# Idempotent: safe to run on every `docker compose up`.
set -euo pipefail

: "${SUPERSET_ADMIN_USERNAME:?}" "${SUPERSET_ADMIN_PASSWORD:?}" "${SUPERSET_ADMIN_EMAIL:?}"
: "${SUPERSET_WAREHOUSE_URI:?}" "${DXW_BI_ASSETS:?}"

echo "Migrating Superset's metadata database"
superset db upgrade

echo "Creating the Superset admin ${SUPERSET_ADMIN_USERNAME} (kept if it exists)"
superset fab create-admin \
    --username "${SUPERSET_ADMIN_USERNAME}" \
    --firstname Superset \
    --lastname Admin \
    --email "${SUPERSET_ADMIN_EMAIL}" \
    --password "${SUPERSET_ADMIN_PASSWORD}"

echo "Setting up roles and permissions"
superset init

# The same dashboards as `make bi`: the repository's bi/dashboards (mounted read-only), whose
# database file is given the read-only dxw_bi URI in memory (never the owner, never on disk).
echo "Loading the dashboards of bi/dashboards (warehouse registered as role dxw_bi)"
DXW_SUPERSET_WAREHOUSE_URI="${SUPERSET_WAREHOUSE_URI}" \
    python "${DXW_BI_ASSETS}/superset/dxw_superset.py" --admin "${SUPERSET_ADMIN_USERNAME}" \
    import "${DXW_BI_ASSETS}/dashboards"

echo "superset-init done"
