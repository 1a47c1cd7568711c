"""Fits scikit-learn's LinearRegression, Ridge and SGDRegressor on a train CSV and scores
them on a test CSV, timing only fit(). Prints one JSON object.

    /usr/bin/python3 bench/regress/sklearn_fit.py TRAIN.csv TEST.csv ALPHA SGD_EPOCHS

Run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (bench/regress.ts sets them) so that the
BLAS under numpy uses one thread, as textkit does.
"""

import json
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, :-1], data[:, -1]


def timed_fit(make, X, y, repeats):
    best = float("inf")
    model = None
    for _ in range(repeats):
        model = make()
        t0 = time.perf_counter()
        model.fit(X, y)
        best = min(best, time.perf_counter() - t0)
    return model, best


def main():
    X, y = load(sys.argv[1])
    Xt, yt = load(sys.argv[2])
    alpha = float(sys.argv[3])
    epochs = int(sys.argv[4])
    repeats = 5 if len(y) < 10_000 else 3
    out = {"sklearn": sklearn.__version__, "numpy": np.__version__, "rows": int(len(y))}
    for name, make in [
        ("ols", lambda: LinearRegression()),
        ("ridge", lambda: Ridge(alpha=alpha)),
    ]:
        model, seconds = timed_fit(make, X, y, repeats)
        out[name] = {
            "seconds": seconds,
            "coef": model.coef_.tolist(),
            "intercept": float(model.intercept_),
            "test_r2": float(r2_score(yt, model.predict(Xt))),
        }
    # SGDRegressor is per-sample SGD with its own schedule (invscaling, eta0 0.01); scaled
    # features as textkit's sgd uses; a fixed number of epochs without early stopping.
    make = lambda: make_pipeline(StandardScaler(), SGDRegressor(max_iter=epochs, tol=None, random_state=0))
    model, seconds = timed_fit(make, X, y, 1)
    scaler, sgd = model[0], model[1]
    coef = sgd.coef_ / scaler.scale_
    out["sgd"] = {
        "seconds": seconds,
        "coef": coef.tolist(),
        "intercept": float(sgd.intercept_[0] - coef @ scaler.mean_),
        "test_r2": float(r2_score(yt, model.predict(Xt))),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
