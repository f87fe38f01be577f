#!/usr/bin/env bash
# Install mmaction-ext and its stack into the current Python environment.
#
#   bash tools/install.sh            # install what is missing (idempotent, a no-op when all is there)
#   PYTHON=/path/to/python bash tools/install.sh
#
# What it does, in order (each step is skipped when its check already passes):
#   1. torch 2.14.1 + torchvision 0.29.1, only if no torch is importable (an existing torch is kept);
#   2. build tools for mmcv (setuptools<82, wheel, ninja, numpy<2);
#   3. mmcv 2.1.0 *with ops*, built from the sdist into a wheel cached per torch version under
#      $MMACTION_EXT_CACHE (default ~/.cache/mmaction_ext); 10-45 min on 2 cores the first time;
#   4. the system's FFmpeg libraries for torchcodec (apt-get, as root; otherwise a warning);
#   5. mmengine 0.10.7, mmaction2 1.2.0, mmdet 3.3.0, torchcodec, decord, PyAV, open_clip and this package
#      (editable).
# Every pin is explained in docs/install.md.
set -euo pipefail

PYTHON=${PYTHON:-python}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${MMACTION_EXT_CACHE:-$HOME/.cache/mmaction_ext}
PIP=("$PYTHON" -m pip --disable-pip-version-check)
CONSTRAINTS="$REPO/requirements/constraints.txt"

say() { printf '[install] %s\n' "$*"; }

py_ok() { "$PYTHON" - "$@" >/dev/null 2>&1; }

# ---------------------------------------------------------------- 1. torch
torch_version() { "$PYTHON" -c 'import torch; print(torch.__version__)' 2>/dev/null; }
if TORCH_VERSION=$(torch_version); then
    say "torch $TORCH_VERSION already installed: keeping it"
else
    say "no torch found: installing torch 2.14.1 + torchvision 0.29.1 (about 1-3 min)"
    "${PIP[@]}" install torch==2.14.1 torchvision==0.29.1
    TORCH_VERSION=$(torch_version)
fi

# ---------------------------------------------------------------- 2. build tools
if py_ok <<'EOF'
import importlib.metadata as md
from packaging.version import Version
assert Version(md.version('setuptools')) < Version('82')
assert Version(md.version('numpy')) < Version('2')
md.version('wheel'); md.version('ninja')
EOF
then
    say "build tools present (setuptools<82, numpy<2, wheel, ninja)"
else
    say "installing build tools: setuptools<82, wheel, ninja, numpy<2"
    "${PIP[@]}" install -c "$CONSTRAINTS" 'setuptools<82' wheel ninja 'numpy<2' packaging
fi

# ---------------------------------------------------------------- 3. mmcv with ops
# A compiled op is run, not just imported: a wheel built against another torch can import and
# still fail (or crash) at the first op call.
MMCV_CHECK='
import mmcv, torch
assert mmcv.__version__ == "2.1.0", mmcv.__version__
from mmcv.ops import nms
boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
keep = nms(boxes, torch.tensor([0.9, 0.8]), 0.5)[1]
assert keep.tolist() == [0], keep
'
mmcv_ok() { "$PYTHON" -c "$MMCV_CHECK" >/dev/null 2>&1; }

build_mmcv_wheel() {
    local wheel_dir=$1 work
    work=$(mktemp -d)
    say "WARNING: building mmcv 2.1.0 with ops from source; this takes 10-45 min on 2 cores."
    say "         The wheel is cached in $wheel_dir, so this happens once per torch version."
    "${PIP[@]}" download --no-deps --no-binary :all: mmcv==2.1.0 -d "$work"
    tar -xzf "$work"/mmcv-2.1.0.tar.gz -C "$work"
    # torch >= 2.10 headers refuse anything older than C++20; mmcv 2.1.0's setup.py hardcodes
    # -std=c++17 (fixed upstream only in mmcv 2.2, which mmaction2 1.2.0 / mmdet 3.3.0 reject).
    local torch_inc
    torch_inc=$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "include"))')
    if grep -q 'C++20 or later compatible compiler is required' "$torch_inc/ATen/ATen.h" 2>/dev/null; then
        say "torch $TORCH_VERSION needs C++20: patching mmcv's setup.py (-std=c++17 -> -std=c++20)"
        sed -i 's/-std=c++17/-std=c++20/g' "$work/mmcv-2.1.0/setup.py"
    fi
    mkdir -p "$wheel_dir"
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    say "compiling (MAX_JOBS=$jobs); progress lines follow"
    MMCV_WITH_OPS=1 MAX_JOBS=$jobs "${PIP[@]}" wheel -v --no-build-isolation --no-deps \
        -w "$wheel_dir" "$work/mmcv-2.1.0" 2>&1 \
        | grep --line-buffered -E '^\s*\[[0-9]+/[0-9]+\]|Building wheel|Created wheel|rror' || true
    rm -rf "$work"
    ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1 || { say "ERROR: mmcv build produced no wheel"; exit 1; }
}

install_mmcv_from_cache() {
    local wheel_dir=$1
    "${PIP[@]}" install -c "$CONSTRAINTS" --force-reinstall --no-deps "$wheel_dir"/mmcv-2.1.0-*.whl
    # mmcv's own runtime deps, without letting pip touch torch or numpy.
    "${PIP[@]}" install -c "$CONSTRAINTS" addict 'mmengine==0.10.7' packaging Pillow pyyaml yapf 'opencv-python<4.12'
}

if mmcv_ok; then
    say "mmcv 2.1.0 with ops already installed and working"
else
    # Keyed by torch version: pip's own cache would happily reuse a wheel built against another torch.
    WHEEL_DIR="$CACHE/wheels/torch-$TORCH_VERSION"
    if ! ls "$WHEEL_DIR"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
        build_mmcv_wheel "$WHEEL_DIR"
    else
        say "using cached mmcv wheel from $WHEEL_DIR"
    fi
    install_mmcv_from_cache "$WHEEL_DIR"
    if ! mmcv_ok; then
        say "cached mmcv wheel is broken against torch $TORCH_VERSION: rebuilding without cache"
        rm -f "$WHEEL_DIR"/mmcv-2.1.0-*.whl
        build_mmcv_wheel "$WHEEL_DIR"
        install_mmcv_from_cache "$WHEEL_DIR"
        mmcv_ok || { say "ERROR: mmcv.ops still fails after a clean rebuild:"; "$PYTHON" -c "$MMCV_CHECK"; exit 1; }
    fi
    say "mmcv 2.1.0 with ops: OK"
fi

# ---------------------------------------------------------------- 4. FFmpeg libraries for torchcodec
# torchcodec (the first video backend) loads the system's FFmpeg 4-8 shared libraries; without them videos
# decode with decord / PyAV (one warning at run time says so).
if ldconfig -p 2>/dev/null | grep -q 'libavcodec\.so\.'; then
    say "FFmpeg libraries present (torchcodec)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the FFmpeg libraries for torchcodec (apt-get install ffmpeg)"
    apt-get install -y --no-install-recommends ffmpeg >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends ffmpeg >/dev/null; } \
        || say "WARNING: apt-get could not install ffmpeg: videos will decode with decord / PyAV"
else
    say "WARNING: no FFmpeg libraries and no root to install them: torchcodec will stay unused and videos"
    say "         decode with decord / PyAV. Install FFmpeg 4-8 (e.g. 'apt-get install ffmpeg') to use it."
fi

# ---------------------------------------------------------------- 5. the OpenMMLab stack and this package
STACK_CHECK='
import importlib.metadata as md, os, sys
want = {"mmengine": "0.10.7", "mmaction2": "1.2.0", "mmdet": "3.3.0"}
for name, version in want.items():
    assert md.version(name) == version, (name, md.version(name))
for name in ("torchcodec", "decord", "av", "importlib_metadata", "scipy", "pytest", "open-clip-torch", "scikit-learn",
             "onnx", "onnxruntime", "mmaction-ext"):
    md.version(name)
import mmaction_ext
here = os.path.realpath(sys.argv[1])
assert os.path.realpath(mmaction_ext.__file__).startswith(here + os.sep), mmaction_ext.__file__
'
# Run from / so that the checkout in the current directory cannot stand in for an installed package.
stack_ok() { (cd / && "$PYTHON" -c "$STACK_CHECK" "$REPO") }
if stack_ok >/dev/null 2>&1; then
    say "mmengine, mmaction2, mmdet, decoders and mmaction_ext (editable, from $REPO) already installed"
else
    say "installing mmengine 0.10.7, mmaction2 1.2.0, mmdet 3.3.0, torchcodec, decord, PyAV and mmaction_ext (editable)"
    "${PIP[@]}" install -c "$CONSTRAINTS" -e "$REPO[tests,export]"
    stack_ok || { say "ERROR: stack check failed after install"; exit 1; }
fi
say "done: $("$PYTHON" -c 'import mmaction_ext; print(mmaction_ext.describe_environment())')"
