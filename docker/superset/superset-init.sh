#!/usr/bin/env bash
# One-shot initialisation of Superset for dx-warehouse (compose service superset-init).
# Idempotent: safe to run on every `docker compose up`.
set -euo pipefail

: "${SUPERSET_ADMIN_USERNAME:?}" "${SUPERSET_ADMIN_PASSWORD:?}" "${SUPERSET_ADMIN_EMAIL:?}"
: "${SUPERSET_WAREHOUSE_NAME:?}" "${SUPERSET_WAREHOUSE_URI:?}"

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

# The URI uses the read-only dxw_bi role (never the owner): it can read the marts only.
echo "Registering the warehouse as Superset database '${SUPERSET_WAREHOUSE_NAME}' (role dxw_bi)"
superset set-database-uri -d "${SUPERSET_WAREHOUSE_NAME}" -u "${SUPERSET_WAREHOUSE_URI}"

echo "superset-init done"
