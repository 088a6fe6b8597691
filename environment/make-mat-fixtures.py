"""Writes the small MAT-files the tests read (tests/NotebookHelpers.Tests/Data/Fixtures), shaped like SALICON's
LSUN 2017 fixation files: 'image' (text), 'resolution' ([height width]) and 'gaze', one struct per observer with
'location' (mouse samples, [x y]), 'timestamp' and 'fixations' ([x y], 1-based pixel coordinates).

Run with Debian's SciPy (apt-get install python3-scipy), not part of CI:
    /usr/bin/python3 environment/make-mat-fixtures.py
"""
import os

import numpy as np
from scipy.io import savemat

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "..", "tests", "NotebookHelpers.Tests", "Data", "Fixtures")
os.makedirs(out, exist_ok=True)

gaze = np.zeros((2, 1), dtype=[("location", object), ("timestamp", object), ("fixations", object)])
gaze[0, 0] = (np.array([[1.0, 1.0], [2.0, 3.0]]), np.array([[10], [20]], dtype=np.uint32), np.array([[1, 1], [6, 4]], dtype=np.uint16))
gaze[1, 0] = (np.array([[5.0, 2.0]]), np.array([[15]], dtype=np.uint32), np.array([[3, 2]], dtype=np.uint16))
content = {"image": "COCO_val2014_000000000042", "resolution": np.array([[4, 6]], dtype=np.uint16), "gaze": gaze}
savemat(os.path.join(out, "salicon-like.mat"), content, do_compression=True)
savemat(os.path.join(out, "salicon-like-uncompressed.mat"), content, do_compression=False)
savemat(os.path.join(out, "numbers.mat"), {"a": np.arange(6, dtype=np.float64).reshape(2, 3), "b": np.array([[-3]], dtype=np.int8),
                                            "cells": np.array([["x", np.array([[1.5]])]], dtype=object)})
print("wrote", sorted(f for f in os.listdir(out) if f.endswith(".mat")))
