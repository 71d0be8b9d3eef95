#!/bin/sh
# Create ./.env from docker/.env.example with a fresh random value for every dev-only-* secret,
# a real Fernet key, and AIRFLOW_UID set to the current (non-root) user. Never overwrites a file.
#
#     sh docker/make-env.sh [TARGET]        (TARGET defaults to .env in the repository root)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
target=${1:-"$here/../.env"}

if [ -e "$target" ]; then
    echo "$target already exists; not overwriting it." >&2
    exit 1
fi

python3 - "$here/.env.example" "$target" "$(id -u)" <<'PY'
import base64
import os
import secrets
import sys

example, target, uid = sys.argv[1:4]
lines = []
for line in open(example, encoding="utf-8").read().splitlines():
    key, sep, value = line.partition("=")
    if sep and not line.lstrip().startswith("#"):
        if value.startswith("dev-only-"):
            value = secrets.token_hex(24)
        elif key == "AIRFLOW_FERNET_KEY":
            value = base64.urlsafe_b64encode(os.urandom(32)).decode()
        elif key == "AIRFLOW_UID" and uid != "0":
            value = uid
        line = f"{key}={value}"
    lines.append(line)
fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(fd, "w", encoding="utf-8") as out:
    out.write("\n".join(lines) + "\n")
print(f"wrote {target}")
PY
