"""Mini-batch training of a 784-30-10 sigmoid network (10 samples, one batch of 10, the mean
of the gradients, half squared error, plain gradient descent), written plainly in numpy: the
baseline `benches/train.rs`'s `thousand_784_30_10_batch_10` is compared with (README,
"Speed"). The same loop as the engine's batch_step: each iteration, the whole batch forward,
the error, the backward pass, the mean gradient, the update. Run it with

    python3 benches/batch_numpy.py

It prints the median and the fastest of 10 runs of 1,000 iterations (numpy is needed; the
script says so and exits when it is missing).
"""

import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit("numpy is not installed (pip install numpy): nothing to compare with")

LAYERS = [784, 30, 10]
SAMPLES = 10
ITERATIONS = 1000
ETA = 0.5


def network(seed):
    rng = np.random.default_rng(seed)
    w1 = rng.uniform(-0.05, 0.05, (LAYERS[1], LAYERS[0]))
    w2 = rng.uniform(-0.05, 0.05, (LAYERS[2], LAYERS[1]))
    b1, b2 = 0.1, 0.1
    x = rng.uniform(0.0, 1.0, (SAMPLES, LAYERS[0]))
    t = np.zeros((SAMPLES, LAYERS[2]))
    t[np.arange(SAMPLES), np.arange(SAMPLES) % LAYERS[2]] = 1.0
    return w1, w2, b1, b2, x, t


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train(w1, w2, b1, b2, x, t):
    n = x.shape[0]
    for _ in range(ITERATIONS):
        h = sigmoid(x @ w1.T + b1)
        o = sigmoid(h @ w2.T + b2)
        # E_total of the batch: the mean of each sample's sum of 1/2 (t - o)^2
        e = 0.5 * ((t - o) ** 2).sum() / n
        d_o = (o - t) * o * (1.0 - o)
        d_h = (d_o @ w2) * h * (1.0 - h)
        w2 = w2 - ETA * (d_o.T @ h) / n
        w1 = w1 - ETA * (d_h.T @ x) / n
    return e


def main():
    times = []
    for run in range(10):
        w1, w2, b1, b2, x, t = network(run)
        start = time.perf_counter()
        train(w1, w2, b1, b2, x, t)
        times.append(time.perf_counter() - start)
    times.sort()
    median = (times[4] + times[5]) / 2
    print(f"numpy {np.__version__}, 784-30-10, batch of {SAMPLES}, {ITERATIONS} iterations: "
          f"median {median * 1000:.1f} ms, fastest {times[0] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
