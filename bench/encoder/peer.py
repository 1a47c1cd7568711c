#!/usr/bin/python3
"""bench:encoder's peer: PyTorch (Debian's python3-torch) running the same weights on the
same token ids, with the same batching (sorted by length, padded per batch) and the same
pooling (mean over the mask, normalised).

    /usr/bin/python3 bench/encoder/peer.py MODEL_DIR IDS.json THREADS BATCH OUT.f32

Prints one JSON line: seconds (forward passes and pooling, after one warm-up batch),
texts, the process's peak resident memory in KiB, and the thread count of the BLAS that
torch's linear layers call (blasThreads).

Debian's torch calls OpenBLAS (pthread build) for its GEMMs, and torch.set_num_threads does
not reach OpenBLAS's own pool, which defaults to every core: a "1 thread" row then ran its
GEMMs on 2 cores. OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) are set to the row's thread
count here, before torch is imported, because OpenBLAS reads them only when it loads.
"""

import ctypes
import importlib.util
import json
import os
import resource
import sys
import time

if len(sys.argv) > 3:
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[3]
    os.environ["OMP_NUM_THREADS"] = sys.argv[3]

import torch  # noqa: E402  (after the thread variables, which OpenBLAS reads on load)

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "fixtures", os.path.join(HERE, "..", "..", "scripts", "make-encoder-fixtures.py"))
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)


def blas_threads():
    """Threads of the OpenBLAS that torch loaded (None when torch calls another BLAS)."""
    with open("/proc/self/maps", encoding="utf-8") as f:
        libs = sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})
    for lib in libs:
        try:
            return int(ctypes.CDLL(lib).openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return None


def main():
    model_dir, ids_file, threads, batch, out_file = sys.argv[1:6]
    threads, batch = int(threads), int(batch)
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    with open(os.path.join(model_dir, "bench.json"), encoding="utf-8") as f:
        spec_ = json.load(f)
    enc = fixtures.make_encoder(spec_["config"], xlmr=False, seed=spec_["seed"], std=spec_["std"])
    with open(ids_file, encoding="utf-8") as f:
        rows = json.load(f)
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
    batches = [order[s:s + batch] for s in range(0, len(order), batch)]
    out = torch.zeros(len(rows), spec_["config"]["hidden_size"])

    def run(members):
        seq = max(len(rows[i]) for i in members)
        ids = torch.zeros(len(members), seq, dtype=torch.long)
        mask = torch.zeros(len(members), seq, dtype=torch.long)
        for b, i in enumerate(members):
            ids[b, :len(rows[i])] = torch.tensor(rows[i])
            mask[b, :len(rows[i])] = 1
        h = enc.run(ids, mask, torch.zeros_like(ids))
        m = mask.unsqueeze(-1).float()
        mean = (h * m).sum(1) / m.sum(1)
        out[members] = torch.nn.functional.normalize(mean, p=2, dim=1)

    with torch.inference_mode():
        run(batches[0])
        t0 = time.perf_counter()
        for members in batches:
            run(members)
        seconds = time.perf_counter() - t0
    out.numpy().astype("<f4").tofile(out_file)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "texts": len(rows), "maxRssKb": rss, "blasThreads": blas_threads()}))


if __name__ == "__main__":
    main()
