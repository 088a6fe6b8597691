"""The PyTorch side of environment/check-cam-speed.sh: the same CAM computations as the library's Cam/ classes, on the
same VGG16 weights and input, timed the same way (one warm-up, then the median of REPEATS runs).

    python3 environment/check-cam-speed.py WORK_DIR [--device cpu|cuda] [--batch 32] [--repeats 3]

Writes WORK_DIR/vgg16.pth (random torchvision initialisation, seed 0), WORK_DIR/input.pth ({"input": (1,3,224,224)}),
WORK_DIR/pytorch-<method>.f32 (each map as raw little-endian float32, 224*224 values) and prints one JSON object of
times in milliseconds. Written for this repository; not part of CI.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F
import torchvision

LAYER = "features.29"  # the ReLU after conv5_3, the library's VGG16 default


def minmax(maps):
    """(N,K,H,W) -> each map stretched to [0,1]; a constant map gives zeros (as CamBase.MinMaxPerMap)."""
    low = maps.amin(dim=(-2, -1), keepdim=True)
    rng = maps.amax(dim=(-2, -1), keepdim=True) - low
    return torch.where(rng > 0, (maps - low) / torch.where(rng > 0, rng, torch.ones_like(rng)), torch.zeros_like(maps))


def upsample(maps, size):
    return F.interpolate(maps, size=size, mode="bilinear", align_corners=False)


class Capture:
    """Forward hook on the target layer: a copy of its output (a leaf with grad for the gradient methods)."""

    def __init__(self, model, grad):
        self.layer = dict(model.named_modules())[LAYER]
        self.grad = grad
        self.activations = None

    def __call__(self, module, inputs, output):
        self.activations = output.detach().clone()
        if not self.grad:
            return None
        self.activations.requires_grad_(True)
        return self.activations.clone()

    def run(self, model, x):
        handle = self.layer.register_forward_hook(self)
        try:
            with torch.set_grad_enabled(self.grad):
                out = model(x)
        finally:
            handle.remove()
        return out


def final_map(weights, activations, size):
    cam = F.relu((weights[:, :, None, None] * activations).sum(1, keepdim=True))
    return minmax(upsample(cam, size))[:, 0]


def grad_cam(model, x):
    capture = Capture(model, grad=True)
    out = capture.run(model, x)
    target = out.argmax(1)
    score = out.gather(1, target[:, None]).sum()
    grads = torch.autograd.grad(score, capture.activations)[0]
    weights = grads.mean(dim=(2, 3))
    return final_map(weights, capture.activations.detach(), x.shape[2:])


def score_cam(model, x, batch, max_n=None):
    with torch.no_grad():
        capture = Capture(model, grad=False)
        out = capture.run(model, x)
        target = int(out.argmax(1)[0])
        acts = capture.activations[0]  # (K,h,w)
        if max_n is not None and max_n < acts.shape[0]:
            variance = acts.flatten(1).var(dim=1, unbiased=True)
            keep = variance.topk(max_n).indices
            acts = acts[keep]
        scores = []
        for start in range(0, acts.shape[0], batch):
            masks = minmax(upsample(acts[start:start + batch][None], x.shape[2:]))[0]  # (B,H,W)
            masked = x * masks[:, None]
            scores.append(F.softmax(model(masked), dim=1)[:, target])
        weights = torch.cat(scores)[None]
        return final_map(weights, acts[None], x.shape[2:])


def timed(fn, repeats, device):
    def once():
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = fn()
        if device == "cuda":
            torch.cuda.synchronize()
        return (time.perf_counter() - start) * 1000, result

    once()  # warm-up
    runs = [once() for _ in range(repeats)]
    return statistics.median(t for t, _ in runs), runs[-1][1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("work")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="intra-op threads (Debian's build starts with 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.vgg16().eval()
    torch.save(model.state_dict(), f"{args.work}/vgg16.pth")
    # A smooth, deterministic picture (not noise), normalised as ImageNet images are.
    ys, xs = torch.meshgrid(torch.linspace(0, 1, 224), torch.linspace(0, 1, 224), indexing="ij")
    rgb = torch.stack([0.5 + 0.5 * torch.sin(7 * xs + 3 * ys), 0.5 + 0.5 * torch.cos(5 * ys), xs * ys])
    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    x = ((rgb - mean) / std)[None].float()
    torch.save({"input": x}, f"{args.work}/input.pth")
    model = model.to(args.device)
    xd = x.to(args.device)
    methods = {
        "grad-cam": lambda: grad_cam(model, xd),
        "score-cam": lambda: score_cam(model, xd, args.batch),
        "faster-score-cam-10": lambda: score_cam(model, xd, args.batch, 10),
    }
    times = {}
    for name, fn in methods.items():
        ms, cam = timed(fn, args.repeats, args.device)
        times[name] = ms
        cam[0].detach().cpu().contiguous().numpy().astype("<f4").tofile(f"{args.work}/pytorch-{name}.f32")
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": args.device,
                      "batch": args.batch, "repeats": args.repeats, "ms": times}))


if __name__ == "__main__":
    main()
