#!/usr/bin/env bash
# The main job on the built-in demo data, from a fresh machine:
#   install what is missing -> generate the motion demo -> train -> multi-view test (accuracies).
#   bash tools/demo.sh [WORK_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python}
# Any config trained on the motion demo works; DATA must be the data it reads, e.g.
# CONFIG=configs/demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-large.py (same data), or
# CONFIG=configs/demo/r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py DATA="data/motion_demo --flavour classification"
CONFIG=${CONFIG:-configs/video_focalnet/videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-large.py}
DATA=${DATA:-data/motion_demo_large --flavour classification --train-per-class 200}
WORK_DIR=${1:-work_dirs/motion_demo}

echo "== 1/4 install (skips what is already there)"
bash tools/install.sh
echo "== 2/4 generate the motion demo data (skipped when up to date)"
# shellcheck disable=SC2086  # DATA is a list of arguments
"$PY" tools/data/generate_motion_demo.py $DATA
echo "== 3/4 train $CONFIG"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR"
echo "== 4/4 multi-view test (3 clips x 3 crops, probabilities averaged)"
"$PY" tools/test.py "$CONFIG" "$(cat "$WORK_DIR/last_checkpoint")" --work-dir "$WORK_DIR/test"
