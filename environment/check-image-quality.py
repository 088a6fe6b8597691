#!/usr/bin/env python3
# An independent reference for `nbh eval quality` (not part of CI): scikit-image's peak_signal_noise_ratio and
# structural_similarity (Gaussian window, sigma 1.5, population covariance, data range 255, per channel) and numpy's
# mean absolute difference, on random and structured RGB PNG pairs it writes (Debian's python3-numpy, python3-pil,
# python3-skimage). Each pair is scored alone and all together; exits 1 when a value differs by more than 1e-6 relative.
#   python3 environment/check-image-quality.py [NBH] [SEED]
import json, os, subprocess, sys, tempfile
import numpy as np
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
nbh = sys.argv[1] if len(sys.argv) > 1 else 'src/NotebookHelpers.Cli/bin/Debug/net10.0/nbh'
rng = np.random.default_rng(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
CAP, TOLERANCE = 100.0, 1e-6

def structured(h, w):
    # gradients, a checkerboard and a sinusoid in the three channels, so SSIM sees edges, texture and smooth parts
    y, x = np.mgrid[0:h, 0:w]
    r = 255 * x / max(w - 1, 1)
    g = 255 * (((x // 4) + (y // 4)) % 2)
    b = 127.5 + 127.5 * np.sin(x / 3.0) * np.cos(y / 5.0)
    return np.stack([r, g, b], -1)

def to8(a): return np.clip(np.rint(a), 0, 255).astype(np.uint8)

pairs = {}
for k in range(4):  # random images against noisy copies of themselves
    h, w = rng.integers(11, 60), rng.integers(11, 80)
    ref = rng.integers(0, 256, (h, w, 3))
    pairs[f'random{k}'] = (to8(ref), to8(ref + rng.normal(0, 5 + 10 * k, (h, w, 3))))
for k, (h, w) in enumerate([(11, 11), (24, 37), (64, 48)]):  # structured images against blurred, shifted or noisy ones
    ref = structured(h, w)
    test = [np.roll(ref, 1, 1), (ref + np.roll(ref, 1, 0)) / 2, ref + rng.normal(0, 20, ref.shape)][k]
    pairs[f'structured{k}'] = (to8(ref), to8(test))
pairs['identical'] = (to8(structured(16, 16)), to8(structured(16, 16)))
pairs['constant'] = (np.full((12, 14, 3), 40, np.uint8), np.full((12, 14, 3), 200, np.uint8))

def reference(a, b):
    psnr = peak_signal_noise_ratio(a, b, data_range=255) if not np.array_equal(a, b) else np.inf
    ssim = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=255, channel_axis=-1)
    return dict(PSNR=min(psnr, CAP), SSIM=ssim, L1=np.abs(a.astype(np.float64) - b).mean())

def write(folder, names):
    os.makedirs(f'{folder}/reference'); os.makedirs(f'{folder}/test')
    for name in names:
        Image.fromarray(pairs[name][0], 'RGB').save(f'{folder}/reference/{name}.png')
        Image.fromarray(pairs[name][1], 'RGB').save(f'{folder}/test/{name}.png')

def run(folder):
    out = subprocess.run([nbh, 'eval', 'quality', '--reference', f'{folder}/reference', '--test', f'{folder}/test', '--json'],
                         capture_output=True, text=True)
    if out.returncode != 0: sys.exit(f'nbh failed ({out.returncode}): {out.stderr}')
    return json.loads(out.stdout)

root = tempfile.mkdtemp(prefix='nbh-qualityref-')
worst = 0.0
cases = [(name, [name]) for name in pairs] + [('all pairs (mean)', list(pairs))]
for i, (label, names) in enumerate(cases):
    folder = f'{root}/{i}'; write(folder, names)
    got = run(folder)
    each = [reference(*pairs[n]) for n in names]
    expected = {key: float(np.mean([e[key] for e in each])) for key in ('PSNR', 'SSIM', 'L1')}
    assert got['count'] == len(names), got
    shape = 'x'.join(map(str, pairs[names[0]][0].shape[:2])) if len(names) == 1 else f'{len(names)} pairs'
    print(f'{label:17s} {shape:8s}', end='')
    for key, value in expected.items():
        relative = abs(got[key] - value) / max(abs(value), 1e-12) if got[key] != value else 0.0
        worst = max(worst, relative)
        print(f'  {key} skimage {value:.10f} nbh {got[key]:.10f}', end='')
    print()
print('largest relative difference', worst)
sys.exit(0 if worst <= TOLERANCE else 1)
