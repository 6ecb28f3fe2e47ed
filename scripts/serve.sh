#!/usr/bin/env bash
# Sets up what is missing, then serves the page at http://127.0.0.1:8080/ with live reload.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PATH"
exec trunk serve --offline --skip-version-check "$@"
