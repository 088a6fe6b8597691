#!/usr/bin/env bash
# The CAM speed check of notebook 05: Grad-CAM, Score-CAM over all 512 channels of VGG16's conv5_3 and Faster Score-CAM
# (N = 10) on one 224×224 image, in Debian's PyTorch (environment/check-cam-speed.py) and in this library
# (`nbh bench cam`), on the same weights, input and batch size; prints both times, TorchSharp's time as a ratio of
# PyTorch's, and the largest difference between the two maps. Not part of CI; Score-CAM takes minutes on a 2-core CPU,
# so run it on an otherwise idle machine.
#
#   environment/check-cam-speed.sh [WORK_DIR]        BATCH=32 REPEATS=3 DEVICE=cpu|cuda PYTHON=/usr/bin/python3
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
python=${PYTHON:-/usr/bin/python3}
batch=${BATCH:-32}
repeats=${REPEATS:-3}
device=${DEVICE:-cpu}

if ! "$python" -c 'import torch, torchvision, numpy' 2>/dev/null; then
  echo "Installing Debian's python3-torch, python3-torchvision and python3-numpy (CPU) ..."
  apt-get update -qq && apt-get install -y -qq python3-torch python3-torchvision python3-numpy >/dev/null
fi
dotnet build src/NotebookHelpers.Cli -v q -nologo >/dev/null
nbh=src/NotebookHelpers.Cli/bin/Debug/net10.0/nbh

echo "PyTorch ..."
"$python" environment/check-cam-speed.py "$work" --device "$device" --batch "$batch" --repeats "$repeats" > "$work/pytorch.json"
echo "TorchSharp ..."
rm -rf "$work/maps"
NBH_DEVICE=$device "$nbh" bench cam --model vgg16 --weights "$work/vgg16.pth" --input "$work/input.pth" \
  --methods grad-cam,score-cam,faster-score-cam-10 --batch "$batch" --repeats "$repeats" --maps-out "$work/maps" --json > "$work/torchsharp.json"

"$python" - "$work" <<'PY'
import json, sys
import numpy as np
work = sys.argv[1]
py = json.load(open(f"{work}/pytorch.json"))
ts = json.load(open(f"{work}/torchsharp.json"))
print(f"PyTorch {py['torch']} ({py['threads']} threads) vs TorchSharp on {ts['device']} ({ts['threads']} threads); batch {py['batch']}, median of {py['repeats']}")
print(f"{'method':<22}{'PyTorch':>12}{'TorchSharp':>12}{'ratio':>8}{'max |map diff|':>16}")
for method, ms in py["ms"].items():
    a = np.fromfile(f"{work}/pytorch-{method}.f32", dtype="<f4")
    b = np.fromfile(f"{work}/maps/torchsharp-{method}.f32", dtype="<f4")
    t = ts["ms"][method]
    print(f"{method:<22}{ms:>10.0f}ms{t:>10.0f}ms{t / ms:>8.2f}{np.abs(a - b).max():>16.2e}")
PY
