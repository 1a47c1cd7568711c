"""scikit-learn's side of bench:encoder-head: LogisticRegression on the same embeddings.

/usr/bin/python3 bench/encoder-head/sklearn_logreg.py DIR
    reads DIR/shape.json ({"train": N, "test": M, "dim": D}), DIR/train.f32, DIR/train.i32,
    DIR/test.f32 and DIR/test.i32 (float32 rows, int32 labels), fits
    StandardScaler + LogisticRegression(max_iter=1000) on one native thread, and prints JSON
    with the fit's wall seconds (scaler and fit, data already in memory), the iterations and
    the test accuracy.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


def main(directory):
    with open(os.path.join(directory, "shape.json")) as f:
        shape = json.load(f)
    dim = shape["dim"]
    x = np.fromfile(os.path.join(directory, "train.f32"), dtype=np.float32).reshape(shape["train"], dim)
    y = np.fromfile(os.path.join(directory, "train.i32"), dtype=np.int32)
    tx = np.fromfile(os.path.join(directory, "test.f32"), dtype=np.float32).reshape(shape["test"], dim)
    ty = np.fromfile(os.path.join(directory, "test.i32"), dtype=np.int32)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        c0 = time.process_time()
        model.fit(x, y)
        cpu = time.process_time() - c0
        seconds = time.perf_counter() - t0
    accuracy = float((model.predict(tx) == ty).mean())
    n_iter = int(model[-1].n_iter_.max())
    print(json.dumps({"seconds": seconds, "cpu": cpu, "accuracy": accuracy, "iterations": n_iter, "version": sklearn.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
