#!/usr/bin/env python3
# An independent reference for PoissonBlending and FastMarching (not part of CI). Poisson: Pérez et al.'s eq. 7 built
# as a scipy.sparse matrix and solved with spsolve; Telea: OpenCV's cv2.inpaint(..., INPAINT_TELEA). Debian's
# python3-numpy, python3-scipy and python3-opencv. The inputs come from formulas that the tests
# PoissonBlendingTests.Reference_formula_* and FastMarchingTests.Reference_formula_* build the same way; the script runs
# those tests (build tests/NotebookHelpers.Tests first), reads the results they print, and compares. It also checks
# that the spsolve values hard-coded in the Poisson test are the ones printed here. Exits 1 when Poisson differs; the
# Telea numbers are printed only (OpenCV's implementation differs in details). Measured: Poisson within 1.5e-6 of
# spsolve; Telea on 8-bit, mean |C# - cv2| 0.045 (radius 1) and 0.036 (radius 5), the C# fill nearer the formula;
# OpenCV's float32 path diverges (mean error 1.5 against the formula on an image in [0.05, 0.95]).
#   python3 environment/check-poisson-blending.py [TEST-BINARY]
import os, re, subprocess, sys
import numpy as np
try:
    import cv2
except ImportError:
    cv2 = None
from scipy.sparse import lil_matrix
from scipy.sparse.linalg import spsolve

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else f'{root}/tests/NotebookHelpers.Tests/bin/Debug/net10.0/NotebookHelpers.Tests'

# The Poisson formula (PoissonBlendingTests.ReferenceInputs): float64 formulas rounded to float32.
H, W, C = 36, 44, 3
y, x = np.mgrid[0:H, 0:W].astype(np.float64)
target = np.stack([0.5 + 0.35 * np.sin(0.17 * x + 0.9 * c) * np.cos(0.11 * y - 0.4 * c) for c in range(C)]).astype(np.float32)
source = np.stack([0.45 + 0.25 * np.sin(0.31 * x + 0.23 * y + 1.3 * c) + 0.1 * np.cos(0.05 * (x - y) * (c + 1))
                   for c in range(C)]).astype(np.float32)
region = (((y - 17) / 9) ** 2 + ((x - 20) / 13) ** 2 < 1) | ((y < 5) & (x >= 30) & (x < 40))  # touches the top border

def poisson(s, t, inside):
    s, t = s.astype(np.float64), t.astype(np.float64)
    pixels = list(zip(*np.nonzero(inside)))
    index = {p: k for k, p in enumerate(pixels)}
    a, b = lil_matrix((len(pixels), len(pixels))), np.zeros(len(pixels))
    for (py, px), k in index.items():
        for qy, qx in ((py - 1, px), (py + 1, px), (py, px - 1), (py, px + 1)):
            if not (0 <= qy < H and 0 <= qx < W):
                continue  # a neighbour beyond the image border does not count (|N_p| is smaller there)
            a[k, k] += 1
            b[k] += s[py, px] - s[qy, qx]
            if (qy, qx) in index: a[k, index[(qy, qx)]] -= 1
            else: b[k] += t[qy, qx]
    f = t.copy()
    f[inside] = spsolve(a.tocsr(), b)  # row-major order, as np.nonzero lists them
    return f

reference = np.stack([poisson(source[c], target[c], region) for c in range(C)])
probes = [(0, 17, 20), (1, 10, 12), (2, 24, 30), (0, 2, 35), (1, 0, 31), (2, 17, 8)]
print('spsolve at the probes (channel, y, x): ' + ', '.join(f'{reference[p]:.7f}' for p in probes))

# The Telea formula (FastMarchingTests.ReferenceInputs): one smooth grey channel, an elliptic hole.
TH, TW = 40, 48
ty, tx = np.mgrid[0:TH, 0:TW].astype(np.float64)
grey = (0.5 + 0.3 * np.sin(0.09 * tx + 0.05 * ty) + 0.15 * np.cos(0.07 * ty)).astype(np.float32)
hole = ((ty - 18) / 6) ** 2 + ((tx - 22) / 8) ** 2 < 1

def printed(test):
    out = subprocess.run([binary, '-method', test, '-showLiveOutput'], capture_output=True, text=True)
    rows = {}
    for line in out.stdout.splitlines():
        m = re.search(r'\[OUTPUT\]\s+(\S+) (.*)$', line.strip())
        if m: rows[m.group(1)] = np.array([float(v) for v in m.group(2).split()])
    if ' Failed: 0,' not in out.stdout:
        print(out.stdout[-3000:]); sys.exit(f'{test} did not pass')
    return rows

def mad(a, b): return f'{np.abs(a - b).mean():.4f} (max {np.abs(a - b).max():.4f})'

if not os.path.exists(binary):
    sys.exit(f'no test binary at {binary}: build tests/NotebookHelpers.Tests to compare with the C# results')
ok = True
ours = printed('NotebookHelpers.Tests.Imaging.PoissonBlendingTests.Reference_formula_matches_spsolve')
worst = max(np.abs(ours[f'poisson{c}'] - reference[c][region]).max() for c in range(C))
print(f'Poisson: largest |C# - spsolve| over the region ({region.sum()} pixels x {C} channels): {worst:.2e}')
ok &= worst < 1e-5
source_text = open(f'{root}/tests/NotebookHelpers.Tests/Imaging/PoissonBlendingTests.cs').read()
hard = re.search(r'SpsolveAtProbes = \[([^\]]*)\]', source_text)
hard = np.array([float(v.rstrip('f')) for v in hard.group(1).replace(',', ' ').split()]) if hard else None
same = hard is not None and len(hard) == len(probes) and np.abs(hard - np.array([reference[p] for p in probes])).max() < 5e-8
print('values hard-coded in PoissonBlendingTests equal the ones above:', same)
ok &= same

if cv2 is None:
    print('no python3-opencv: the Telea comparison is skipped'); sys.exit(0 if ok else 1)
fills = printed('NotebookHelpers.Tests.Imaging.FastMarchingTests.Reference_formula_fill')
u8 = np.round(grey * 255).astype(np.uint8)
mask = hole.astype(np.uint8)
for radius in (1, 5):
    cv_float = cv2.inpaint(grey, mask, radius, cv2.INPAINT_TELEA)[hole]
    cv_u8 = cv2.inpaint(u8, mask, radius, cv2.INPAINT_TELEA)[hole] / 255
    ours_float, ours_u8 = fills[f'float_r{radius}'], fills[f'u8_r{radius}']
    print(f'Telea radius {radius}, {hole.sum()} hole pixels, mean |difference|:')
    print(f'  8-bit    C# - cv2 {mad(ours_u8, cv_u8)};  against the formula: C# {mad(ours_u8, grey[hole])}, cv2 {mad(cv_u8, grey[hole])}')
    print(f'  float32  C# - cv2 {mad(ours_float, cv_float)};  against the formula: C# {mad(ours_float, grey[hole])}, cv2 {mad(cv_float, grey[hole])}')
sys.exit(0 if ok else 1)
