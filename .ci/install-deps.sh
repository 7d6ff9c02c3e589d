#!/usr/bin/env bash
# What the tests need beyond the .NET SDK: node/npm (the sample backend's build), python3 with moto and botocore
# (AWS wire tests), and Debian packages for the registry and image-builder tests (buildah) and the AWS CLI v2 (the local AWS host tests). Idempotent: skips what is already there.
set -euo pipefail
need=()
for pkg in docker-registry apache2-utils skopeo buildah awscli; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
