#!/usr/bin/env bash
# What the tests need beyond the .NET SDK: node/npm (the sample backend's build), python3 with moto and botocore
# (AWS wire tests, preinstalled under pyenv on machines of our kind), and Debian packages: the CNCF registry
# (docker-registry) with htpasswd (apache2-utils) and skopeo for the registry tests, buildah for the image-builder
# tests, the AWS CLI v2 (awscli) for the local AWS host tests, PostgreSQL 15 for the migration drift check. Also the
# dependencies of samples/truecaller-backend (tsc, eslint, prisma 6.19) for the PR-check tests.
#
# `dotnet test` runs this before each test project (tests/Directory.Build.targets), under a machine-wide lock, so the
# README's test command alone sets a fresh machine up. Idempotent and quick (a few dpkg queries) when all is there.
# Needs root (or passwordless sudo) only when a package is missing; without it, it says what to run and exits 1.
set -euo pipefail

packages=(docker-registry apache2-utils skopeo buildah awscli postgresql-15)
need=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)

status=0
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
  if [ "${as_root[*]}" = none ]; then
    echo "install-deps: missing ${need[*]}; not root and no passwordless sudo, so not installing." >&2
    echo "install-deps: run: sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    status=1
  else
    echo "install-deps: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Another apt run on the machine holds the dpkg lock for a while: wait for it rather than fail.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

# The PR checks run the backend's own tools: install them exactly as locked (no install scripts: Prisma 6.19's would
# try to download engines; the checks run Prisma with its engines pointed at `false`). Skipped when node_modules is
# newer than the lockfile.
backend="$(cd "$(dirname "$0")/../samples/truecaller-backend" && pwd)"
if command -v npm >/dev/null 2>&1; then
  if [ ! -f "$backend/node_modules/.package-lock.json" ] || [ "$backend/package-lock.json" -nt "$backend/node_modules/.package-lock.json" ]; then
    echo "install-deps: npm ci in $backend"
    (cd "$backend" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
exit "$status"
