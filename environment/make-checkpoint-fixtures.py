"""Writes the small PyTorch checkpoints the tests read (tests/NotebookHelpers.Tests/Models/Fixtures).

Run with Debian's PyTorch (apt-get install python3-torch), not part of CI:
    /usr/bin/python3 environment/make-checkpoint-fixtures.py

The same state dict is saved twice: in PyTorch's zip format (torch >= 1.6) and in the legacy format that
torchvision's oldest weight files use, so the tests can check that both readers give identical tensors.
"""
import os
from collections import OrderedDict

import torch

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "tests", "NotebookHelpers.Tests", "Models", "Fixtures")
os.makedirs(out, exist_ok=True)

torch.manual_seed(7)
conv = torch.nn.Conv2d(3, 4, 3)
bn = torch.nn.BatchNorm2d(4)
bn.train()
for _ in range(3):  # running statistics and num_batches_tracked away from their initial values
    bn(torch.randn(2, 4, 5, 5) * 2 + 1)
fc = torch.nn.Linear(4, 2)

state = OrderedDict()
for prefix, module in (("conv", conv), ("bn", bn), ("fc", fc)):
    for name, value in module.state_dict().items():
        state[f"{prefix}.{name}"] = value
state["extra.transposed"] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()  # non-contiguous strides
state["extra.double"] = torch.linspace(-1, 1, 5, dtype=torch.float64)
state["extra.half"] = torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16)
state["extra.slice"] = torch.arange(10, dtype=torch.int64)[3:7]  # a storage offset

torch.save(state, os.path.join(out, "tiny-zip.pth"))
torch.save(state, os.path.join(out, "tiny-legacy.pth"), _use_new_zipfile_serialization=False)
print("wrote", sorted(os.listdir(out)), "with torch", torch.__version__)
