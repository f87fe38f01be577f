#!/usr/bin/env bash
# Run a tool of this repo in NUM_PROCESSES processes with torchrun (what dist_train.sh and dist_test.sh share):
#   bash tools/dist_launch.sh TOOL.py NUM_PROCESSES [tool args...]      # --launcher pytorch is added
# Without GPUs the processes run on the CPU and talk through gloo (mmengine picks the backend).
# NNODES, NODE_RANK, PORT and MASTER_ADDR are read from the environment for multi-node runs.
set -euo pipefail
TOOL=$1
NPROC=$2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" --nproc_per_node="$NPROC" "$ROOT/tools/$TOOL" "${@:3}" --launcher pytorch
