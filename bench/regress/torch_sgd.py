"""The seed notebook's linear regression by minibatch SGD in PyTorch, timed on a train CSV
and scored on a test CSV. Prints one JSON object.

    /usr/bin/python3 bench/regress/torch_sgd.py TRAIN.csv TEST.csv BATCH LR EPOCHS

nn.Linear, nn.MSELoss and torch.optim.SGD at a constant learning rate, minibatches drawn
from a fresh permutation every epoch, float32 on the CPU with one thread, the data as
generated (no scaling), as the notebook does. Only the training loop is timed.
"""

import json
import sys
import time

import numpy as np
import torch
from torch import nn


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
    return torch.from_numpy(data[:, :-1].copy()), torch.from_numpy(data[:, -1:].copy())


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    X, y = load(sys.argv[1])
    Xt, yt = load(sys.argv[2])
    batch, lr, epochs = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
    model = nn.Linear(X.shape[1], 1)
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = X.shape[0]
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(n)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        pred = model(Xt).numpy().ravel()
    truth = yt.numpy().ravel().astype(np.float64)
    r2 = 1 - ((truth - pred) ** 2).sum() / ((truth - truth.mean()) ** 2).sum()
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "seconds": seconds,
                "coef": model.weight.detach().numpy().ravel().astype(float).tolist(),
                "intercept": float(model.bias.detach().numpy()[0]),
                "test_r2": float(r2),
            }
        )
    )


if __name__ == "__main__":
    main()
