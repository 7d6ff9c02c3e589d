#!/usr/bin/env bash
# Installs the real peers the registry tests start: the CNCF distribution registry (docker-registry),
# htpasswd (apache2-utils, bcrypt basic auth), skopeo (an independent registry client) and buildah (the image builder tests).
set -euo pipefail
if command -v docker-registry >/dev/null && command -v htpasswd >/dev/null && command -v skopeo >/dev/null && command -v buildah >/dev/null; then
  exit 0
fi
apt-get update && apt-get install -y docker-registry apache2-utils skopeo buildah
