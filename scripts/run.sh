#!/usr/bin/env bash
# The README's run command: installs what is missing (scripts/bootstrap.sh), then `pnpm dev`, which builds
# the SDK into the collector's assets, migrates and seeds the local D1 and serves the collector.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
exec pnpm dev
