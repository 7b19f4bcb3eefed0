"""Threaded runs of :class:`EventDrivenNetwork` (private): conservative parallel simulation in windows.

The neurons are split into ``P`` ranges of equal size, each with its own event queue.  Time advances in
windows of the smallest synaptic delay ``d_min``: a spike at ``t`` in the window ``[W, W + d_min)``
reaches its targets at ``t + d >= W + d_min`` (floating-point addition is monotone), so during a
window no partition can affect another, and each runs the event loop of its own neurons in parallel
(:func:`~sc_neurocore._kernels._event.run_window`, which releases the GIL).  Between windows each
partition queues the deliveries of every partition's spikes that reach it.  A neuron sees the same
inputs, summed in the same order, as in the sequential loop: spikes, states, SC bits, STP and
Poisson draws are bit-identical for every thread count (``docs/event_driven.md``, "Threads").
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from .._kernels import _event as K

if TYPE_CHECKING:
    from ._event_driven import EventDrivenNetwork

__all__ = ["run_threaded"]


class _Partition:
    """One partition's queue, inputs, scratch and output during a threaded run."""

    def __init__(self, net: EventDrivenNetwork, part: int, lo: int, hi: int, entries: np.ndarray) -> None:
        self.part = part
        m = entries.shape[0]
        self.h = np.zeros((max(1024, 2 * m), 3))
        self.h[:m] = entries
        self.hn, self.nd, self.nx, self.head, self.qm = K.open_queue(self.h, m)
        size = hi - lo
        self.nrn = K.EvNeurons(model=net._kp, S=net._S, tlist=np.zeros(size, np.int32),
                               slist=np.zeros(size, np.int32))
        self.ob_t = np.empty(size)
        self.ob_i = np.empty(size, np.int64)
        # explicit events and drive changes still to come, of this partition's neurons (in array order)
        ep, cp = int(net._ext_pos[0]), int(net._chg_pos[0])
        e = np.flatnonzero((net._ext_i[ep:] >= lo) & (net._ext_i[ep:] < hi)) + ep
        c = np.flatnonzero((net._chg_i[cp:] >= lo) & (net._chg_i[cp:] < hi)) + cp
        self.inp = net._inputs()._replace(
            ext_t=net._ext_t[e], ext_i=net._ext_i[e], ext_w=net._ext_w[e], ext_pos=np.zeros(1, np.int64),
            chg_t=net._chg_t[c], chg_i=net._chg_i[c], chg_v=net._chg_v[c], chg_pos=np.zeros(1, np.int64))
        cap = max(1024, size // 8)
        self.rec = K.EvRecord(out_t=np.empty(cap), out_i=np.empty(cap, np.int32), n_out=np.zeros(1, np.int64),
                              stats=np.zeros_like(net._stats))
        self.out_t, self.out_i, self.no = self.rec.out_t, self.rec.out_i, 0
        self.box = np.empty((max(64, size // 64), 3))
        self.n_box = 0

    def window(self, t_stop: float, graph: Any, syn: Any, pl: Any, cuts: np.ndarray,
               inbox: np.ndarray) -> None:
        rec = self.rec._replace(out_t=self.out_t, out_i=self.out_i)
        (self.h, self.hn, self.nd, self.nx, self.out_t, self.out_i, self.no, self.box,
         self.n_box) = K.run_window(t_stop, self.nrn, graph, self.inp, self.h, self.hn, self.nd, self.nx,
                                    self.head, self.qm, syn, pl, rec, self.no, self.ob_t, self.ob_i, cuts,
                                    self.part, self.box, inbox)


def run_threaded(net: EventDrivenNetwork, t_stop: float, threads: int) -> None:
    """Advance ``net`` to ``t_stop`` with ``threads`` partitions (the caller checks: STDP off, delays > 0).

    Leaves ``net`` exactly as the sequential :func:`~sc_neurocore._kernels._event.run_events` would,
    except the statistics ``rounds`` and ``heap_pops``, which count per partition, and the order of
    the pending entries in the heap array.
    """
    n = net.n
    P = min(threads, n)
    bounds = np.array([p * n // P for p in range(P + 1)], dtype=np.int64)
    cuts = net._partition_cuts(bounds)
    entries, off = K.split_queue(net._h, int(net._heap_n[0]), net._p_target, net._grp_start, cuts, bounds)
    parts = [_Partition(net, p, int(bounds[p]), int(bounds[p + 1]), entries[off[p]:off[p + 1]])
             for p in range(P)]
    del entries
    graph, syn, pl = net._graph(), net._synapse_args(), net._plasticity()
    with ThreadPoolExecutor(max_workers=P - 1) as pool:

        def window(w_end: float, inbox: np.ndarray) -> np.ndarray:
            """Every partition up to ``w_end`` (partition 0 on this thread); returns their spikes."""
            futures = [pool.submit(q.window, w_end, graph, syn, pl, cuts, inbox) for q in parts[1:]]
            parts[0].window(w_end, graph, syn, pl, cuts, inbox)
            for f in futures:
                f.result()
            return np.concatenate([q.box[: q.n_box] for q in parts])

        inbox = np.empty((0, 3))
        w0 = net.t
        while w0 < t_stop:
            w0 = min(w0 + net._min_delay, t_stop)
            inbox = window(w0, inbox)
        window(t_stop, inbox)  # the last window's deliveries (all at or after t_stop) join the queues
    # one queue again: a delivery reaching several partitions is kept once (from the first it reaches)
    cap = sum(q.hn + int(q.qm[K.COUNT]) for q in parts)
    if cap > net._h.shape[0]:
        net._h = np.zeros((2 * cap, 3))
    m = 0
    for p, q in enumerate(parts):
        m = K.merge_queue(net._h, m, q.h, q.hn, q.nd, q.nx, q.head, q.qm, net._grp_start, cuts, p)
        q.h = q.nd = np.empty((0, 3))  # free the partition's queue before the next one is merged
    K.heapify(net._h, m)
    net._heap_n[0] = m
    # spikes: each partition's are sorted by (time, neuron), as the sequential loop records them
    t_new, i_new = parts[0].out_t[: parts[0].no], parts[0].out_i[: parts[0].no]
    for q in parts[1:]:
        t_new, i_new = K.merge_spikes(t_new, i_new, q.out_t[: q.no], q.out_i[: q.no])
    net._append_spikes(t_new, i_new)
    for q in parts:
        net._stats += q.rec.stats
    net._ext_pos[0] = max(int(net._ext_pos[0]), int(np.searchsorted(net._ext_t, t_stop, side="left")))
    net._chg_pos[0] = max(int(net._chg_pos[0]), int(np.searchsorted(net._chg_t, t_stop, side="left")))
