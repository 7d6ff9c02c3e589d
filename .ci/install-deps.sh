#!/usr/bin/env bash
# What the tests need beyond the .NET SDK: node/npm (the sample backend's build), python3 with moto and botocore
# (AWS wire tests), and Debian packages for the registry and image-builder tests (buildah) and the AWS CLI v2 (the
# local AWS host tests). The PR-check tests need PostgreSQL 15 (a throwaway server for the migration drift check)
# and the dependencies of samples/truecaller-backend (tsc, eslint, prisma 6.19). Idempotent: skips what is already there.
set -euo pipefail
need=()
for pkg in docker-registry apache2-utils skopeo buildah awscli postgresql-15; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# The PR checks run the backend's own tools: install them exactly as locked (no install scripts: Prisma 6.19's would
# try to download engines; the checks run Prisma with its engines pointed at `false`). Skipped when node_modules is
# newer than the lockfile.
backend="$(dirname "$0")/../samples/truecaller-backend"
if [ ! -f "$backend/node_modules/.package-lock.json" ] || [ "$backend/package-lock.json" -nt "$backend/node_modules/.package-lock.json" ]; then
  (cd "$backend" && npm ci --ignore-scripts --no-audit --no-fund)
fi
