#!/usr/bin/env bash
# Install what is missing (a no-op when all is there), then run the test suite.
#   bash tools/run_tests.sh [pytest args...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash tools/install.sh
exec "${PYTHON:-python}" -m pytest tests -q -rs "$@"
