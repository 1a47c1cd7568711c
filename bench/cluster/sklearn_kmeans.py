"""scikit-learn's side of bench:cluster: KMeans on the same rows textkit clusters.

/usr/bin/python3 bench/cluster/sklearn_kmeans.py blobs DIR N DIM CENTERS STD SEED
    writes DIR/x.f32 (N x DIM float32 rows of make_blobs) and DIR/y.i32 (their blob) for
    textkit to read.
/usr/bin/python3 bench/cluster/sklearn_kmeans.py fit DIR K N_INIT SEED THREADS
    fits KMeans(n_clusters=K, n_init=N_INIT, random_state=SEED) on DIR's rows: dense
    (DIR/x.f32 with DIR/shape.json) or sparse CSR (DIR/indptr.i32, indices.i32, data.f32),
    THREADS native threads (0: as many as it likes). Prints JSON with the fit's wall
    seconds (fit only, data already in memory), inertia and n_iter, and writes the labels
    to DIR/labels-THREADS.i32.
"""
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits


def blobs(out, n, dim, centers, std, seed):
    x, y = make_blobs(n_samples=n, n_features=dim, centers=centers, cluster_std=std, random_state=seed)
    x.astype(np.float32).tofile(os.path.join(out, "x.f32"))
    y.astype(np.int32).tofile(os.path.join(out, "y.i32"))
    with open(os.path.join(out, "shape.json"), "w") as f:
        json.dump({"n": n, "dim": dim}, f)


def load(directory):
    with open(os.path.join(directory, "shape.json")) as f:
        shape = json.load(f)
    n, dim = shape["n"], shape["dim"]
    if os.path.exists(os.path.join(directory, "x.f32")):
        return np.fromfile(os.path.join(directory, "x.f32"), dtype=np.float32).reshape(n, dim)
    indptr = np.fromfile(os.path.join(directory, "indptr.i32"), dtype=np.int32)
    indices = np.fromfile(os.path.join(directory, "indices.i32"), dtype=np.int32)
    data = np.fromfile(os.path.join(directory, "data.f32"), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(n, dim))


def fit(directory, k, n_init, seed, threads):
    x = load(directory)
    model = KMeans(n_clusters=k, n_init=n_init, random_state=seed)
    if threads > 0:
        with threadpool_limits(limits=threads):
            started = time.perf_counter()
            model.fit(x)
            seconds = time.perf_counter() - started
    else:
        started = time.perf_counter()
        model.fit(x)
        seconds = time.perf_counter() - started
    model.labels_.astype(np.int32).tofile(os.path.join(directory, f"labels-{threads}.i32"))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "inertia": float(model.inertia_),
                "n_iter": int(model.n_iter_),
                "sklearn": sklearn.__version__,
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "blobs":
        blobs(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]))
    elif mode == "fit":
        fit(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        sys.exit(f"unknown mode {mode}")
