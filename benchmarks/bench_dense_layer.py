"""SCDenseLayer vs an unpacked per-step NumPy implementation of the same layer.

Layer: 256 neurons, 64 inputs, 2-D weights (one current source per neuron),
streams of 2048 cycles, OR accumulation, LIF neurons with noise; ``run(1000)``.
Timed: construction + run together, single thread, in one process, best of
interleaved rounds (``--repeats``).  The numba compile (or cache load) cost is paid by a warm-up
call on a small layer first and reported separately.

Two unpacked NumPy references of the same layer (streams as one byte per bit,
``rng.random(L) < p``, a Python loop over time steps, OR accumulation, the
same LIF update with Gaussian noise):

* **per-neuron** (the tutorial's structure, and the implementation the
  project's speed target was set against): every synapse stream encoded on
  its own, and each step loops over the neurons, each computing its current
  from its own weight bits and updating its membrane;
* **vectorised**: all streams drawn in one call and each step updates all
  neurons at once with array operations (the strongest plain-NumPy version).

Both are checked to produce the same firing statistics as sc_neurocore.

Run: ``python benchmarks/bench_dense_layer.py``
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

N_NEURONS, N_INPUTS, LENGTH, T = 256, 64, 2048, 1000
Y_MIN, Y_MAX = 0.0, 0.1
PARAMS = {"v_rest": 0.0, "v_reset": 0.0, "v_threshold": 1.0, "tau_mem": 20.0, "dt": 1.0,
          "noise_std": 0.02, "resistance": 1.0, "refractory_period": 2}


def problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # small inputs and weights keep the OR current inside the firing range
    x = rng.random(N_INPUTS) * 0.3
    w = rng.random((N_NEURONS, N_INPUTS)) * 0.1
    return x, w


def run_ours(x: np.ndarray, w: np.ndarray, seed: int = 1, noise: bool = True) -> np.ndarray:
    from sc_neurocore import SCDenseLayer

    params = PARAMS if noise else {**PARAMS, "noise_std": 0.0}
    layer = SCDenseLayer(N_NEURONS, x, w, length=LENGTH, y_min=Y_MIN, y_max=Y_MAX,
                         neuron_params=params, base_seed=seed)
    return layer.run(T)


def run_numpy_per_neuron(x: np.ndarray, w: np.ndarray, seed: int = 1) -> np.ndarray:
    """Unpacked reference, tutorial structure: one stream per synapse, per-step loop over neurons."""
    rng = np.random.default_rng(seed)
    x_bits = [(rng.random(LENGTH) < x[i]).astype(np.uint8) for i in range(N_INPUTS)]
    x_mat = np.stack(x_bits)
    w_bits = [np.stack([(rng.random(LENGTH) < w[n, i]).astype(np.uint8) for i in range(N_INPUTS)])
              for n in range(N_NEURONS)]
    p = PARAMS
    v = [p["v_rest"]] * N_NEURONS
    refr = [0] * N_NEURONS
    spikes = np.zeros((N_NEURONS, T), dtype=np.uint8)
    span = Y_MAX - Y_MIN
    for t in range(T):
        c = t % LENGTH
        xc = x_mat[:, c]
        for n in range(N_NEURONS):
            if refr[n] > 0:
                v[n] = p["v_reset"]
                refr[n] -= 1
                continue
            current = Y_MIN + span * float(np.any(xc & w_bits[n][:, c]))
            vn = v[n] + p["dt"] * (-(v[n] - p["v_rest"]) / p["tau_mem"] + p["resistance"] * current)
            vn += p["noise_std"] * rng.standard_normal()
            if vn >= p["v_threshold"]:
                spikes[n, t] = 1
                vn = p["v_reset"]
                refr[n] = p["refractory_period"]
            v[n] = vn
    return spikes


def run_numpy(x: np.ndarray, w: np.ndarray, seed: int = 1) -> np.ndarray:
    """Unpacked reference, vectorised over neurons: uint8 streams, per-step loop over time."""
    rng = np.random.default_rng(seed)
    x_bits = (rng.random((N_INPUTS, LENGTH)) < x[:, None]).astype(np.uint8)
    w_bits = (rng.random((N_NEURONS, N_INPUTS, LENGTH)) < w[:, :, None]).astype(np.uint8)
    p = PARAMS
    v = np.full(N_NEURONS, p["v_rest"])
    refr = np.zeros(N_NEURONS, dtype=np.int64)
    spikes = np.zeros((N_NEURONS, T), dtype=np.uint8)
    span = Y_MAX - Y_MIN
    for t in range(T):
        c = t % LENGTH
        fired_or = (x_bits[None, :, c] & w_bits[:, :, c]).any(axis=1)
        current = Y_MIN + span * fired_or
        noise = p["noise_std"] * rng.standard_normal(N_NEURONS)
        v_new = v + p["dt"] * (-(v - p["v_rest"]) / p["tau_mem"] + p["resistance"] * current) + noise
        active = refr == 0
        spk = active & (v_new >= p["v_threshold"])
        v = np.where(active & ~spk, v_new, p["v_reset"])
        refr = np.where(spk, p["refractory_period"], np.where(active, 0, refr - 1))
        spikes[:, t] = spk
    return spikes


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=6, help="interleaved rounds")
    args = ap.parse_args()
    x, w = problem()

    t0 = time.perf_counter()
    from sc_neurocore import SCDenseLayer

    small = SCDenseLayer(2, x[:3], w[:2, :3], length=100, neuron_params=PARAMS, base_seed=0)
    small.run(10)
    first_call = time.perf_counter() - t0

    # Interleaved rounds: the machine is shared, so every implementation is timed in
    # every round and the best of each is kept (load hits all of them alike).
    best = {"ours": float("inf"), "quiet": float("inf"), "build": float("inf"),
            "vec": float("inf"), "per": float("inf")}
    outs: dict[str, object] = {}
    for rnd in range(args.repeats):
        for key, fn in (
            ("ours", lambda: run_ours(x, w)),
            ("quiet", lambda: run_ours(x, w, noise=False)),
            ("build", lambda: SCDenseLayer(N_NEURONS, x, w, length=LENGTH, y_min=Y_MIN, y_max=Y_MAX,
                                           neuron_params=PARAMS, base_seed=1)),
            ("vec", lambda: run_numpy(x, w)),
            ("per", lambda: run_numpy_per_neuron(x, w)),
        ):
            if key == "per" and rnd % 3:
                continue  # the slow reference: every third round
            t, out = best_of(fn, 3 if key in ("ours", "quiet", "build") else 1)
            best[key] = min(best[key], t)
            outs[key] = out
    t_ours, t_quiet, t_build, t_vec, t_per = (best[k] for k in ("ours", "quiet", "build", "vec", "per"))
    s_ours, s_vec, s_per = outs["ours"], outs["vec"], outs["per"]

    def rate(s: object) -> float:
        return float(np.asarray(s).mean() * 1000.0 / PARAMS["dt"])

    print(f"SCDenseLayer: {N_NEURONS} neurons x {N_INPUTS} inputs, 2-D weights, length {LENGTH}, "
          f"run({T}), OR accumulation, noise_std {PARAMS['noise_std']}, single thread")
    print(f"  first call (numba compile or cache load, small layer): {first_call * 1e3:9.1f} ms")
    print(f"  sc_neurocore, construction + run:        {t_ours * 1e3:9.1f} ms "
          f"(constructor {t_build * 1e3:.1f} ms; the weight-stream words are drawn lazily in run)")
    print(f"    of which noise: {max(t_ours - t_quiet, 0.0) * 1e3:.1f} ms (the same layer with noise_std=0 "
          f"takes {t_quiet * 1e3:.1f} ms; conventions §2 Box-Muller, libm log and cos per draw)")
    print(f"  NumPy per-neuron, construction + run:    {t_per * 1e3:9.1f} ms   "
          f"speed-up {t_per / t_ours:6.1f}x  (target >= 100x)")
    print(f"  NumPy vectorised, construction + run:    {t_vec * 1e3:9.1f} ms   "
          f"speed-up {t_vec / t_ours:6.1f}x")
    print(f"  mean rate (same statistics expected): sc_neurocore {rate(s_ours):.2f} Hz, "
          f"per-neuron {rate(s_per):.2f} Hz, vectorised {rate(s_vec):.2f} Hz")


if __name__ == "__main__":
    main()
