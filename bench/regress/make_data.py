"""Data for bench/regress.ts, written as CSV so that every system reads the same numbers.

    /usr/bin/python3 bench/regress/make_data.py OUT_DIR [ROWS] [FEATURES]

diabetes: scikit-learn's load_diabetes(scaled=False) (442 rows, 10 features; Efron et al.
2004, shipped with scikit-learn under its BSD licence), split 80/20 with a fixed seed.
synthetic: make_regression(n_samples=ROWS (200,000), n_features=FEATURES (20), noise=10,
random_state=0), the seed notebook's kind of data, split 80/20 with a fixed seed.
Floats are written with repr, so the CSV holds exactly the doubles generated.
"""

import csv
import os
import sys

import numpy as np
from sklearn.datasets import load_diabetes, make_regression


def write(path, names, X, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(names + ["target"])
        for row, t in zip(X.tolist(), y.tolist()):
            w.writerow([repr(v) for v in row] + [repr(t)])


def split(out, name, names, X, y):
    order = np.random.RandomState(42).permutation(len(y))
    cut = int(round(0.8 * len(y)))
    train, test = order[:cut], order[cut:]
    write(os.path.join(out, f"{name}-train.csv"), names, X[train], y[train])
    write(os.path.join(out, f"{name}-test.csv"), names, X[test], y[test])


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    features = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    os.makedirs(out, exist_ok=True)
    d = load_diabetes(scaled=False)
    split(out, "diabetes", list(d.feature_names), d.data, d.target)
    X, y = make_regression(n_samples=rows, n_features=features, noise=10.0, random_state=0)
    split(out, "synthetic", [f"x{i}" for i in range(features)], X, y)


if __name__ == "__main__":
    main()
