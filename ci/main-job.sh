#!/usr/bin/env bash
# The main job: every model scenario at its default budgets (the sampling
# portfolio, bounded and exhaustive search), then the summary table. Installs what it needs.
# Extra arguments are passed to `tlsm check` (e.g. --shard 1/4, --seed 7).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
cmake --preset model >/dev/null
cmake --build --preset model --target tlsm -j "${TLSM_JOBS:-$(nproc)}"
exec build/model/model/cli/tlsm check --jobs "${TLSM_CHECK_JOBS:-0}" --results results "$@"
