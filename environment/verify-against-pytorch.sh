#!/usr/bin/env bash
# Proof that torchvision checkpoints load into this library's backbones and give PyTorch's logits.
# Not part of CI. It installs Debian's PyTorch (python3-torch, python3-torchvision; CPU) when missing, saves randomly
# initialised torchvision VGG16, VGG16-BN, VGG19 and ResNet-50 state dicts with torch.save (zip format, and for VGG16 also the
# legacy format of torchvision's oldest published files), runs a fixed batch through each in PyTorch, then loads each
# file with `nbh weights verify` and compares the logits (max absolute difference below 1e-4 in fp32).
#
#   environment/verify-against-pytorch.sh [WORK_DIR]
#
# On a machine with a CUDA PyTorch, PYTHON=/path/to/python DEVICE=cuda runs the PyTorch side on the GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
python=${PYTHON:-/usr/bin/python3}
device=${DEVICE:-cpu}

if ! "$python" -c 'import torch, torchvision' 2>/dev/null; then
  echo "Installing Debian's python3-torch and python3-torchvision (CPU) ..."
  apt-get update -qq && apt-get install -y -qq python3-torch python3-torchvision >/dev/null
fi

"$python" - "$work" "$device" <<'PY'
import sys, time, torch, torchvision
work, device = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
x = torch.rand(2, 3, 224, 224)
for name in ("vgg16", "vgg16_bn", "vgg19", "resnet50"):
    model = getattr(torchvision.models, name)().eval().to(device)
    with torch.no_grad():
        logits = model(x.to(device)).cpu()
    state = {k: v.cpu() for k, v in model.state_dict().items()}
    torch.save(state, f"{work}/{name}.pth")
    if name == "vgg16":
        torch.save(state, f"{work}/{name}-legacy.pth", _use_new_zipfile_serialization=False)
    torch.save({"input": x, "logits": logits}, f"{work}/{name}-reference.pth")
    print(f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}: {name} saved, logits {tuple(logits.shape)} on {device}")
PY

dotnet build src/NotebookHelpers.Cli -v q -nologo >/dev/null
nbh=src/NotebookHelpers.Cli/bin/Debug/net10.0/nbh
status=0
for name in vgg16 vgg16_bn vgg19 resnet50; do
  "$nbh" weights verify --model "$name" --weights "$work/$name.pth" --reference "$work/$name-reference.pth" || status=1
done
"$nbh" weights verify --model vgg16 --weights "$work/vgg16-legacy.pth" --reference "$work/vgg16-reference.pth" || status=1
exit $status
