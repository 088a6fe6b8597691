#!/usr/bin/env python3
# An independent reference for `nbh eval segmentation` (not part of CI): FCN score.py's confusion-matrix metrics and
# the BF that SegmentationMetrics documents, written from their definitions with numpy and scipy (Debian's
# python3-numpy, python3-scipy, python3-pil), on random label folders it writes. Exits 1 when a value differs.
#   python3 environment/check-segmentation-metrics.py [NBH] [SEED]
import json, os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from scipy import ndimage
nbh = sys.argv[1] if len(sys.argv) > 1 else 'src/NotebookHelpers.Cli/bin/Debug/net10.0/nbh'
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
N, IGN = 5, 255
root = tempfile.mkdtemp(prefix='nbh-segref-'); os.makedirs(f'{root}/pred'); os.makedirs(f'{root}/gt')
imgs = []
for k in range(6):
    h, w = rng.integers(30, 70), rng.integers(30, 90)
    # blocky labels so there are real boundaries, some void, predictions = labels shifted and partly replaced
    gt = np.kron(rng.integers(0, N, (h // 6 + 1, w // 6 + 1)), np.ones((6, 6), int))[:h, :w]
    gt[rng.random((h, w)) < 0.05] = IGN
    pred = np.roll(gt, (rng.integers(-2, 3), rng.integers(-2, 3)), (0, 1)).copy()
    pred[pred == IGN] = 0
    noise = rng.random((h, w)) < 0.1; pred[noise] = rng.integers(0, N, noise.sum())
    Image.fromarray(gt.astype(np.uint8), 'L').save(f'{root}/gt/img{k}.png')
    Image.fromarray(pred.astype(np.uint8), 'L').save(f'{root}/pred/img{k}.png')
    imgs.append((pred, gt))

hist = np.zeros((N, N))
for p, g in imgs:
    k = (g >= 0) & (g < N)
    hist += np.bincount(N * g[k] + p[k], minlength=N * N).reshape(N, N)
with np.errstate(divide='ignore', invalid='ignore'):
    acc = np.diag(hist).sum() / hist.sum()
    macc = np.nanmean(np.diag(hist) / hist.sum(1))
    iu = np.diag(hist) / (hist.sum(1) + hist.sum(0) - np.diag(hist))
    miu = np.nanmean(iu)
    freq = hist.sum(1) / hist.sum()
    fw = (freq[freq > 0] * iu[freq > 0]).sum()

cross = ndimage.generate_binary_structure(2, 1)
def boundary(m): return m & ~ndimage.binary_erosion(m, structure=cross, border_value=0)
bfs = []
for p, g in imgs:
    h, w = g.shape; theta = 0.0075 * np.hypot(h, w)
    valid = (g >= 0) & (g < N) & (g != IGN)
    if not valid.any(): continue
    fs = []
    for c in range(N):
        bg, bp = boundary((g == c) & valid), boundary((p == c) & valid)
        if not bg.any() and not bp.any(): continue
        def matched(a, b):
            if not b.any(): return 0
            d = ndimage.distance_transform_edt(~b)
            return (d[a] < theta).sum()
        P = matched(bp, bg) / bp.sum() if bp.any() else None
        R = matched(bg, bp) / bg.sum() if bg.any() else None
        fs.append(2 * P * R / (P + R) if P is not None and R is not None and P + R > 0 else 0.0)
    bfs.append(np.mean(fs))
ref = dict(pixel_accuracy=acc, mean_accuracy=macc, mIoU=miu, fwIoU=fw, BF=float(np.mean(bfs)))
out = subprocess.run([nbh, 'eval', 'segmentation', '--predictions', f'{root}/pred',
                      '--labels', f'{root}/gt', '--classes', str(N), '--ignore', str(IGN), '--json'], capture_output=True, text=True)
got = json.loads(out.stdout)
worst = 0
for key, value in ref.items():
    print(f'{key:15s} numpy {value:.10f}  nbh {got[key]:.10f}'); worst = max(worst, abs(value - got[key]))
per = [None if np.isnan(v) else v for v in iu]
print('per-class IoU equal:', all((a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-12) for a, b in zip(per, got['per_class_IoU'])))
print('max abs difference', worst)
sys.exit(0 if worst < 1e-9 else 1)
