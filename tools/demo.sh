#!/usr/bin/env bash
# The main job on the built-in motion demo, from a fresh machine (no data to download or generate: the demo's
# clips are rendered on the fly):
#   install what is missing -> train -> multi-view test (accuracies) -> pictures next to the checkpoint:
#   learning_curve.png, confusion_matrix.png and the model's own map on one validation clip (attention_map.png).
#   bash tools/demo.sh [WORK_DIR] [--quick] [--store]
# --quick: one epoch on 2 clips per class, 1 validation / test clip per class (checks the job, learns nothing).
# --store: keep the finished job as the README's result (tools/misc/store_main_job.py).
# CONFIG=... picks another config trained on the online demo, e.g.
#   CONFIG=configs/demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py bash tools/demo.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python}
CONFIG=${CONFIG:-configs/emim/uniformer-emim_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py}
WORK_DIR=work_dirs/motion_demo
QUICK=()
STORE=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=(--cfg-options train_cfg.max_epochs=1 train_cfg.val_interval=1
                    train_dataloader.dataset.clips_per_class=2 val_dataloader.dataset.clips_per_class=1
                    test_dataloader.dataset.clips_per_class=1) ;;
    --store) STORE=1 ;;
    -*) echo "unknown option $arg (usage: bash tools/demo.sh [WORK_DIR] [--quick] [--store])" >&2; exit 2 ;;
    *) WORK_DIR=$arg ;;
  esac
done

START=$(date +%s)
echo "== 1/5 install (skips what is already there)"
if [ "${SKIP_INSTALL:-0}" != 1 ]; then bash tools/install.sh; fi
echo "== 2/5 train $CONFIG"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK_DIR" "${QUICK[@]}"
CHECKPOINT=$(cat "$WORK_DIR/last_checkpoint")
echo "== 3/5 multi-view test (3 clips x 3 crops, probabilities averaged)"
"$PY" tools/test.py "$CONFIG" "$CHECKPOINT" --work-dir "$WORK_DIR/test" --dump "$WORK_DIR/test/predictions.pkl" \
  "${QUICK[@]}"
echo "== 4/5 learning curve and confusion matrix"
"$PY" tools/analysis/demo_report.py "$WORK_DIR" "$WORK_DIR/test/predictions.pkl" --summary "$WORK_DIR/summary.json" \
  --title "$(basename "$CONFIG" .py)"
echo "== 5/5 the model's map on one validation clip (the file generator writes the same clip)"
"$PY" tools/data/generate_motion_demo.py "$WORK_DIR/val_clip" --flavour classification --train-per-class 0 \
  --val-per-class 1
"$PY" tools/visualize_attention.py "$CONFIG" "$CHECKPOINT" "$WORK_DIR/val_clip/classification/videos/val/move_right_fast_0000.mp4" \
  "$WORK_DIR/attention_map.png"
echo "pictures: $WORK_DIR/learning_curve.png $WORK_DIR/confusion_matrix.png $WORK_DIR/attention_map.png"
# The job's wall time (installation included when it ran) goes into the summary beside the accuracies.
"$PY" - "$WORK_DIR/summary.json" $(( $(date +%s) - START )) "$CONFIG" "${SKIP_INSTALL:-0}" <<'EOF'
import json, sys
path, seconds, config, skip_install = sys.argv[1:]
with open(path) as f:
    summary = json.load(f)
summary.update(job_seconds=int(seconds), config=config, install='skipped' if skip_install == '1' else 'ran')
with open(path, 'w') as f:
    json.dump(summary, f, indent=1)
EOF
echo "main job done in $(( ($(date +%s) - START) / 60 )) min: $WORK_DIR/summary.json"
if [ "$STORE" = 1 ]; then "$PY" tools/misc/store_main_job.py "$WORK_DIR"; fi
