"""Vogels–Abbott / Brette et al. (2007) COBA benchmark network: our COBA model against Brian2.

4000 conductance-based LIF neurons (3200 excitatory, 800 inhibitory), every
ordered pair connected with probability 0.02, ``tau_m = 20`` ms,
``v_rest = v_reset = -60`` mV, threshold -50 mV, refractory 5 ms,
``E_e = 0``, ``E_i = -80`` mV, ``tau_e = 5``, ``tau_i = 10`` ms, jumps of the
conductances (in units of the 10 nS leak) 0.6 (6 nS) and 6.7 (67 nS),
``dt = 0.1`` ms, initial ``v`` normal with mean -55 mV and sd 5 mV (PyNN's
version of the benchmark; those above threshold start the activity).  Brian2
(``pip install brian2``; or another interpreter that has it, e.g. a venv with
``numpy<2.3`` when Brian2 does not support this numpy: ``--brian2-python``)
runs the same network: the same synapse
list, the same initial potentials, Euler for ``v`` (our model: Euler for ``v``,
exact decay of the conductances), zero synaptic delay (ours: one step, which
is the same ordering: Brian2 applies ``on_pre`` after the state update of the
spike's step).  Activity is self-sustained when ``--poisson-hz 0``; an
optional Poisson drive of each neuron's excitatory conductance runs in both.

Prints wall time and the mean excitatory / inhibitory rates of each
simulator over ``[--skip-ms, --ms)``.  A benchmark, not a test: chaotic
networks agree in statistics, not spike for spike.

    python benchmarks/bench_coba.py --ms 1000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np

N, N_EXC, P = 4000, 3200, 0.02
TAU_M, EL, VT, VR, T_REF = 20.0, -60.0, -50.0, -60.0, 5.0
E_EXC, E_INH, TAU_E, TAU_I = 0.0, -80.0, 5.0, 10.0
W_EXC, W_INH = 0.6, 6.7
DT = 0.1


def build(seed: int, poisson_hz: float) -> tuple[Any, np.ndarray]:
    from sc_neurocore.network import COBA, Network, PoissonInput, Population, ei_weights, erdos_renyi

    rng = np.random.default_rng(seed)
    v0 = rng.normal(-55.0, 5.0, N)
    pop = Population(N, tau_m=TAU_M, v_rest=EL, v_reset=VR, threshold=VT, refractory=T_REF, dt=DT,
                     n_exc=N_EXC, v_init=v0)
    conn = erdos_renyi(N, P, weight=ei_weights(N, N_EXC, W_EXC, W_INH), delay=1, seed=seed + 1)
    net = Network(pop, conn, neuron=COBA(e_exc=E_EXC, e_inh=E_INH, tau_exc=TAU_E, tau_inh=TAU_I))
    if poisson_hz > 0:
        net.add_input(PoissonInput(poisson_hz, W_EXC, n=N, seed=seed + 2))
    return net, v0


def rates(neurons: np.ndarray, times_ms: np.ndarray, skip_ms: float, ms: float) -> tuple[float, float]:
    keep = times_ms >= skip_ms
    dur = (ms - skip_ms) / 1000.0
    exc = np.count_nonzero(neurons[keep] < N_EXC) / N_EXC / dur
    inh = np.count_nonzero(neurons[keep] >= N_EXC) / (N - N_EXC) / dur
    return exc, inh


def run_ours(net: Any, ms: float, skip_ms: float) -> tuple[float, float, float]:
    steps = int(round(ms / DT))
    net.run(1)  # compile outside the timing
    net.reset()
    t0 = time.perf_counter()
    s = net.run(steps)
    wall = time.perf_counter() - t0
    return (wall, *rates(s.neurons, s.steps * DT, skip_ms, ms))


def run_brian2(pre: np.ndarray, post: np.ndarray, v0: np.ndarray, ms: float, skip_ms: float,
               poisson_hz: float, target: str) -> tuple[float, float, float]:
    import brian2 as b2

    b2.prefs.codegen.target = target
    b2.defaultclock.dt = DT * b2.ms
    eqs = """
    dv/dt = ((El - v) + ge * (Ee - v) + gi * (Ei - v)) / taum : volt (unless refractory)
    dge/dt = -ge / taue : 1
    dgi/dt = -gi / taui : 1
    """
    ns = {"El": EL * b2.mV, "Ee": E_EXC * b2.mV, "Ei": E_INH * b2.mV, "taum": TAU_M * b2.ms,
          "taue": TAU_E * b2.ms, "taui": TAU_I * b2.ms}
    g = b2.NeuronGroup(N, eqs, threshold="v > Vt", reset="v = Vr", refractory=T_REF * b2.ms, method="euler",
                       namespace={**ns, "Vt": VT * b2.mV, "Vr": VR * b2.mV})
    g.v = v0 * b2.mV
    exc = pre < N_EXC
    se = b2.Synapses(g, g, on_pre="ge += we", namespace={"we": W_EXC})
    se.connect(i=pre[exc], j=post[exc])
    si = b2.Synapses(g, g, on_pre="gi += wi", namespace={"wi": W_INH})
    si.connect(i=pre[~exc], j=post[~exc])
    objs = [g, se, si]
    if poisson_hz > 0:
        objs.append(b2.PoissonInput(g, "ge", 1, poisson_hz * b2.Hz, weight=W_EXC))
    mon = b2.SpikeMonitor(g)
    b2net = b2.Network(*objs, mon)
    t0 = time.perf_counter()
    b2net.run(ms * b2.ms)
    wall = time.perf_counter() - t0
    return (wall, *rates(np.asarray(mon.i), np.asarray(mon.t / b2.ms), skip_ms, ms))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--ms", type=float, default=1000.0)
    ap.add_argument("--skip-ms", type=float, default=100.0)
    ap.add_argument("--poisson-hz", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--brian2-target", default="numpy", choices=("numpy", "cython"))
    ap.add_argument("--brian2-python", default=sys.executable,
                    help="interpreter with brian2 installed (default: this one)")
    ap.add_argument("--brian2-only", default=None, help=argparse.SUPPRESS)  # npz written by the main run
    args = ap.parse_args()
    if args.brian2_only:
        with np.load(args.brian2_only) as z:
            wall, be, bi = run_brian2(z["pre"], z["post"], z["v0"], args.ms, args.skip_ms, args.poisson_hz,
                                      args.brian2_target)
        print(f"Brian2 ({args.brian2_target}) COBA: {args.ms:.0f} ms in {wall:.2f} s; rates exc {be:.2f} Hz, "
              f"inh {bi:.2f} Hz")
        return
    net, v0 = build(args.seed, args.poisson_hz)
    wall, re, ri = run_ours(net, args.ms, args.skip_ms)
    print(f"sc_neurocore COBA: {args.ms:.0f} ms in {wall:.2f} s (numba's default threads); rates exc "
          f"{re:.2f} Hz, inh {ri:.2f} Hz ({net.connectivity.nnz} synapses)")
    c = net.connectivity
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "coba_net.npz")
        np.savez(path, pre=c.pre(), post=c.indices, v0=v0)
        cmd = [args.brian2_python, __file__, "--brian2-only", path, "--ms", str(args.ms), "--skip-ms",
               str(args.skip_ms), "--poisson-hz", str(args.poisson_hz), "--brian2-target", args.brian2_target]
        res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        tail = res.stderr.strip().splitlines()[-1:] or ["?"]
        print(f"Brian2 run failed ({tail[0]}); pip install brian2, or pass --brian2-python")
        return
    print(res.stdout.strip())


if __name__ == "__main__":
    main()
