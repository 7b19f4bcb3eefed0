"""Readout features of recorded spike events (pure, vectorised functions).

Every function takes the spike record as two parallel integer arrays, ``neuron``
and ``step`` (event ``k`` is a spike of neuron ``neuron[k]`` in time step
``step[k]``), the neurons to describe (``neurons``: an int ``n`` meaning neurons
``0 .. n-1``, or a 1-D array of distinct neuron indices, in output order), the
window length ``n_steps`` and the step ``dt_ms``.  Events of neurons that are not
selected are ignored; events may come in any order.  Each function returns one
float64 value per selected neuron, in the order of ``neurons``.

Time convention: a spike in step ``s`` happens at ``t = s * dt_ms`` (ms); the
window is ``[0, n_steps * dt_ms)``.

Undefined values: a feature that is undefined for a neuron (for example the
mean ISI of a neuron with fewer than two spikes) is **never NaN**: it takes the
value ``fill`` (default 0.0), a keyword of every function.  Each docstring and
``docs/network_readout.md`` list exactly when a feature is undefined.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sc_neurocore._validation import check_count, check_dt_ms, check_int, check_real

__all__ = [
    "FEATURE_NAMES",
    "autocorrelation_lag1",
    "burst_counts",
    "burstiness",
    "extract_features",
    "features_from_events",
    "first_spike_times",
    "half_asymmetry",
    "isi_cv",
    "isi_variance",
    "last_spike_times",
    "mean_isi",
    "mean_spike_times",
    "spike_counts",
    "spike_entropy",
    "spike_rates",
    "spike_time_kurtosis",
    "spike_time_skewness",
]

FEATURE_NAMES: tuple[str, ...] = (
    "spike_count",
    "rate_hz",
    "first_spike_time_ms",
    "last_spike_time_ms",
    "mean_spike_time_ms",
    "mean_isi_ms",
    "isi_variance_ms2",
    "isi_cv",
    "spike_entropy_bits",
    "burstiness",
    "autocorrelation_lag1",
    "half_asymmetry",
    "spike_time_skewness",
    "spike_time_kurtosis",
    "burst_count",
)


class _Events(NamedTuple):
    """Events of the selected neurons, sorted by (output index, step)."""

    out: np.ndarray  # int64 output index 0..n_out-1 of each event
    step: np.ndarray  # int64 step of each event
    n_out: int
    n_steps: int
    dt_ms: float
    counts: np.ndarray  # float64 spikes per output neuron


def _int_vector(value: Any, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if arr.size == 0 and arr.dtype == np.float64:
            # np.asarray([]) is float64: accept an empty list as "no events"
            return np.zeros(0, dtype=np.int64)
        raise TypeError(f"{name} must be a 1-D array of integers; got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional; got shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) > np.iinfo(np.int64).max:
        # astype(int64) would wrap these to negative values
        raise ValueError(f"{name} must hold values <= 2^63 - 1; got {int(arr.max())}")
    return arr.astype(np.int64)


def _prepare(
    neuron: Any, step: Any, neurons: Any, n_steps: Any, dt_ms: Any = 1.0
) -> _Events:
    """Validate once, keep the selected neurons' events, sort them by (neuron, step)."""
    nrn = _int_vector(neuron, "neuron")
    stp = _int_vector(step, "step")
    if nrn.shape != stp.shape:
        raise ValueError(
            f"neuron and step must have the same length; got {nrn.shape[0]} and {stp.shape[0]}"
        )
    n_steps_i = check_count(n_steps, "n_steps", low=1)
    # bounded so that times (up to 2^40 steps), their squares and rates stay finite
    dt = check_dt_ms(dt_ms)
    if isinstance(neurons, (int, np.integer)) and not isinstance(neurons, (bool, np.bool_)):
        n_sel = check_count(neurons, "neurons", low=0)
        sel = np.arange(n_sel, dtype=np.int64)
    else:
        sel = _int_vector(neurons, "neurons")
        if sel.size and sel.min() < 0:
            raise ValueError(f"neurons must be non-negative indices; got {int(sel.min())}")
        if np.unique(sel).size != sel.size:
            raise ValueError("neurons must be distinct indices; got a repeated index")
    if nrn.size and nrn.min() < 0:
        raise ValueError(f"neuron must be non-negative indices; got {int(nrn.min())}")
    if stp.size and (stp.min() < 0 or stp.max() >= n_steps_i):
        bad = int(stp.min()) if stp.min() < 0 else int(stp.max())
        raise ValueError(f"step must be in [0, {n_steps_i - 1}] (n_steps={n_steps_i}); got {bad}")
    n_out = int(sel.size)
    # output index of each event's neuron (-1: not selected), by binary search
    # rather than a dense lookup table, so huge neuron ids cost no memory
    by_id = np.argsort(sel, kind="stable")
    sel_sorted = sel[by_id]
    pos = np.searchsorted(sel_sorted, nrn)
    pos_c = np.minimum(pos, max(n_out - 1, 0))
    hit = (pos < n_out) & (sel_sorted[pos_c] == nrn) if n_out else np.zeros(nrn.size, dtype=bool)
    out = np.where(hit, by_id[pos_c] if n_out else 0, -1).astype(np.int64)
    keep = out >= 0
    out, stp = out[keep], stp[keep]
    order = np.lexsort((stp, out))
    out, stp = out[order], stp[order]
    if out.size > 1:
        dup = (out[1:] == out[:-1]) & (stp[1:] == stp[:-1])
        if dup.any():
            k = int(np.argmax(dup))
            raise ValueError(
                "step must hold at most one spike per neuron and step; got neuron "
                f"{int(sel[out[k]])} twice in step {int(stp[k])}"
            )
    counts = np.bincount(out, minlength=n_out).astype(np.float64)
    return _Events(out, stp, n_out, n_steps_i, dt, counts)


def _check_fill(fill: Any) -> float:
    return check_real(fill, "fill")


def _sum(ev: _Events, values: np.ndarray, owner: np.ndarray | None = None) -> np.ndarray:
    own = ev.out if owner is None else owner
    return np.bincount(own, weights=values, minlength=ev.n_out)


def _where(defined: np.ndarray, value: np.ndarray, fill: float) -> np.ndarray:
    res = np.full(defined.shape, fill, dtype=np.float64)
    res[defined] = value[defined]
    return res


def _isi(ev: _Events) -> tuple[np.ndarray, np.ndarray]:
    """ISIs in steps and the output index each belongs to."""
    if ev.out.size < 2:
        return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.int64)
    same = ev.out[1:] == ev.out[:-1]
    return np.diff(ev.step)[same].astype(np.float64), ev.out[1:][same]


# ---------------------------------------------------------------------------
# computations on prepared events (no validation)


def _count(ev: _Events) -> np.ndarray:
    return ev.counts.copy()


def _rate(ev: _Events) -> np.ndarray:
    return ev.counts / (ev.n_steps * ev.dt_ms * 1e-3)


def _first(ev: _Events, fill: float) -> np.ndarray:
    res = np.full(ev.n_out, fill, dtype=np.float64)
    if ev.out.size:
        start = np.ones(ev.out.size, dtype=bool)
        start[1:] = ev.out[1:] != ev.out[:-1]
        res[ev.out[start]] = ev.step[start] * ev.dt_ms
    return res


def _last(ev: _Events, fill: float) -> np.ndarray:
    res = np.full(ev.n_out, fill, dtype=np.float64)
    if ev.out.size:
        end = np.ones(ev.out.size, dtype=bool)
        end[:-1] = ev.out[1:] != ev.out[:-1]
        res[ev.out[end]] = ev.step[end] * ev.dt_ms
    return res


def _mean_time(ev: _Events, fill: float) -> np.ndarray:
    total = _sum(ev, ev.step.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(ev.counts > 0, total / ev.counts * ev.dt_ms, fill)


def _isi_moments(ev: _Events) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(number of ISIs, mean ISI in steps, population variance in steps^2)."""
    isi, owner = _isi(ev)
    n = np.bincount(owner, minlength=ev.n_out).astype(np.float64)
    s1 = np.bincount(owner, weights=isi, minlength=ev.n_out)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / n
        dev = isi - mean[owner]
        var = np.bincount(owner, weights=dev * dev, minlength=ev.n_out) / n
    return n, mean, var


def _mean_isi(ev: _Events, fill: float) -> np.ndarray:
    n, mean, _ = _isi_moments(ev)
    return _where(n > 0, mean * ev.dt_ms, fill)


def _isi_var(ev: _Events, fill: float) -> np.ndarray:
    n, _, var = _isi_moments(ev)
    return _where(n > 0, var * ev.dt_ms**2, fill)


def _isi_cv(ev: _Events, fill: float) -> np.ndarray:
    n, mean, var = _isi_moments(ev)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(n > 0, np.sqrt(var) / mean, fill)


def _burstiness(ev: _Events, fill: float) -> np.ndarray:
    n, mean, var = _isi_moments(ev)
    sd = np.sqrt(var)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(n > 0, (sd - mean) / (sd + mean), fill)


def _bin_of(ev: _Events, n_bins: int) -> np.ndarray:
    # bin b covers steps s with floor(s * n_bins / n_steps) == b
    return (ev.step * n_bins) // ev.n_steps


def _entropy(ev: _Events, n_bins: int, fill: float) -> np.ndarray:
    b = _bin_of(ev, n_bins)
    key = ev.out * n_bins + b
    uniq, c = np.unique(key, return_counts=True)
    owner = uniq // n_bins
    with np.errstate(invalid="ignore", divide="ignore"):
        p = c / ev.counts[owner]
        h = np.bincount(owner, weights=-p * np.log2(p), minlength=ev.n_out)
    # -0.0 (a single occupied bin) is reported as +0.0
    return _where(ev.counts > 0, h + 0.0, fill)


def _autocorr(ev: _Events, bin_steps: int, fill: float) -> np.ndarray:
    m_bins = -(-ev.n_steps // bin_steps)  # ceil
    b = ev.step // bin_steps
    key = ev.out * m_bins + b
    uniq, c = np.unique(key, return_counts=True)
    owner, ub = uniq // m_bins, uniq % m_bins
    cf = c.astype(np.float64)
    sum_sq = np.bincount(owner, weights=cf * cf, minlength=ev.n_out)
    c_first = np.bincount(owner[ub == 0], weights=cf[ub == 0], minlength=ev.n_out)
    last = ub == m_bins - 1
    c_last = np.bincount(owner[last], weights=cf[last], minlength=ev.n_out)
    adj: np.ndarray = np.zeros(ev.n_out, dtype=np.float64)
    if uniq.size > 1:
        nxt = (owner[1:] == owner[:-1]) & (ub[1:] == ub[:-1] + 1)
        adj = np.bincount(owner[:-1][nxt], weights=(cf[:-1] * cf[1:])[nxt], minlength=ev.n_out)
    n = ev.counts
    mu = n / m_bins
    # sum_{b<M-1} (x_b - mu)(x_{b+1} - mu), expanded so that empty bins cost nothing
    num = adj - mu * ((n - c_last) + (n - c_first)) + (m_bins - 1) * mu * mu
    den = sum_sq - m_bins * mu * mu
    defined = den > 1e-12 * np.maximum(sum_sq, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(defined, num / den, fill)


def _half_asym(ev: _Events, fill: float) -> np.ndarray:
    half = ev.n_steps // 2
    early = ev.step < half
    late = ev.step >= ev.n_steps - half  # for odd n_steps the middle step is in neither half
    n1 = np.bincount(ev.out[early], minlength=ev.n_out).astype(np.float64)
    n2 = np.bincount(ev.out[late], minlength=ev.n_out).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(n1 + n2 > 0, (n1 - n2) / (n1 + n2), fill)


def _central_moments(ev: _Events) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Population central moments m2, m3, m4 of spike steps per neuron."""
    t = ev.step.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = _sum(ev, t) / ev.counts
    d = t - mean[ev.out] if t.size else t
    with np.errstate(invalid="ignore", divide="ignore"):
        m2 = _sum(ev, d**2) / ev.counts
        m3 = _sum(ev, d**3) / ev.counts
        m4 = _sum(ev, d**4) / ev.counts
    return m2, m3, m4


def _skew(ev: _Events, fill: float) -> np.ndarray:
    m2, m3, _ = _central_moments(ev)
    defined = (ev.counts >= 2) & (m2 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(defined, m3 / m2**1.5, fill)


def _kurt(ev: _Events, fill: float) -> np.ndarray:
    m2, _, m4 = _central_moments(ev)
    defined = (ev.counts >= 2) & (m2 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _where(defined, m4 / m2**2 - 3.0, fill)


def _bursts(ev: _Events, max_isi_steps: int, min_spikes: int) -> np.ndarray:
    if ev.out.size == 0:
        return np.zeros(ev.n_out, dtype=np.float64)
    start = np.ones(ev.out.size, dtype=bool)
    start[1:] = (ev.out[1:] != ev.out[:-1]) | (np.diff(ev.step) > max_isi_steps)
    run_id = np.cumsum(start) - 1
    length = np.bincount(run_id)
    owner = ev.out[start]
    return np.bincount(owner[length >= min_spikes], minlength=ev.n_out).astype(np.float64)


# ---------------------------------------------------------------------------
# public functions


def spike_counts(neuron: Any, step: Any, neurons: Any, n_steps: int) -> np.ndarray:
    """Number of spikes of each selected neuron in the window (always defined)."""
    return _count(_prepare(neuron, step, neurons, n_steps))


def spike_rates(neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float) -> np.ndarray:
    """Mean firing rate in Hz: ``count / (n_steps * dt_ms * 1e-3)`` (always defined)."""
    return _rate(_prepare(neuron, step, neurons, n_steps, dt_ms))


def first_spike_times(
    neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float, *, fill: float = 0.0
) -> np.ndarray:
    """Time of the first spike, ``min(s) * dt_ms`` in ms; ``fill`` for a silent neuron."""
    return _first(_prepare(neuron, step, neurons, n_steps, dt_ms), _check_fill(fill))


def last_spike_times(
    neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float, *, fill: float = 0.0
) -> np.ndarray:
    """Time of the last spike, ``max(s) * dt_ms`` in ms; ``fill`` for a silent neuron."""
    return _last(_prepare(neuron, step, neurons, n_steps, dt_ms), _check_fill(fill))


def mean_spike_times(
    neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float, *, fill: float = 0.0
) -> np.ndarray:
    """Mean spike time ``mean(s) * dt_ms`` in ms; ``fill`` for a silent neuron."""
    return _mean_time(_prepare(neuron, step, neurons, n_steps, dt_ms), _check_fill(fill))


def mean_isi(
    neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float, *, fill: float = 0.0
) -> np.ndarray:
    """Mean inter-spike interval in ms; ``fill`` for a neuron with fewer than 2 spikes."""
    return _mean_isi(_prepare(neuron, step, neurons, n_steps, dt_ms), _check_fill(fill))


def isi_variance(
    neuron: Any, step: Any, neurons: Any, n_steps: int, dt_ms: float, *, fill: float = 0.0
) -> np.ndarray:
    """Population variance (ddof = 0) of the ISIs in ms^2; ``fill`` below 2 spikes.

    With exactly two spikes (one ISI) the variance is 0.
    """
    return _isi_var(_prepare(neuron, step, neurons, n_steps, dt_ms), _check_fill(fill))


def isi_cv(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, fill: float = 0.0
) -> np.ndarray:
    """Coefficient of variation ``std(ISI) / mean(ISI)`` (ddof = 0, unitless); ``fill`` below 2 spikes."""
    return _isi_cv(_prepare(neuron, step, neurons, n_steps), _check_fill(fill))


def burstiness(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, fill: float = 0.0
) -> np.ndarray:
    """Goh-Barabasi burstiness ``B = (sigma - mu) / (sigma + mu)`` of the ISIs.

    ``mu``, ``sigma``: mean and population standard deviation of the neuron's
    ISIs.  ``B = -1`` for a perfectly periodic train, about 0 for Poisson,
    towards +1 for bursty trains.  ``fill`` below 2 spikes (``mu >= 1`` step, so
    the denominator is never 0 otherwise).
    """
    return _burstiness(_prepare(neuron, step, neurons, n_steps), _check_fill(fill))


def spike_entropy(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, n_bins: int = 10, fill: float = 0.0
) -> np.ndarray:
    """Shannon entropy, in bits, of where in the window a neuron's spikes fall.

    The window is cut into ``n_bins`` bins (step ``s`` is in bin
    ``floor(s * n_bins / n_steps)``); with ``c_b`` the neuron's spikes in bin
    ``b`` and ``p_b = c_b / sum(c)``, ``H = -sum_b p_b log2 p_b`` (terms with
    ``p_b = 0`` are 0).  ``0 <= H <= log2(min(n_bins, n_steps, count))``.  Bins may outnumber
    steps (some bins then never hold a spike).  ``fill`` for a silent neuron.
    """
    nb = check_count(n_bins, "n_bins", low=1)
    ev = _prepare(neuron, step, neurons, n_steps)
    return _entropy(ev, nb, _check_fill(fill))


def autocorrelation_lag1(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, bin_steps: int = 1, fill: float = 0.0
) -> np.ndarray:
    """Lag-1 sample autocorrelation of the binned spike train.

    ``x_b`` = spikes in bin ``b`` (bins of ``bin_steps`` steps, ``M =
    ceil(n_steps / bin_steps)`` bins, the last one possibly shorter), ``mu =
    mean(x)``; ``r1 = sum_{b=0}^{M-2} (x_b - mu)(x_{b+1} - mu) / sum_b (x_b -
    mu)^2`` (the standard estimator, in [-1, 1]).  ``fill`` when the binned train
    is constant (no spikes, or the same count in every bin).
    """
    bs = check_count(bin_steps, "bin_steps", low=1)
    ev = _prepare(neuron, step, neurons, n_steps)
    return _autocorr(ev, bs, _check_fill(fill))


def half_asymmetry(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, fill: float = 0.0
) -> np.ndarray:
    """First- versus second-half balance ``(n1 - n2) / (n1 + n2)``.

    ``n1``: spikes in steps ``s < floor(n_steps / 2)``, ``n2``: spikes in steps
    ``s >= n_steps - floor(n_steps / 2)`` (for odd ``n_steps`` the middle step
    belongs to neither half, so both halves have equal length).  +1: all spikes
    early, -1: all late, 0: symmetric.  ``fill`` when ``n1 + n2 = 0``.
    """
    return _half_asym(_prepare(neuron, step, neurons, n_steps), _check_fill(fill))


def spike_time_skewness(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, fill: float = 0.0
) -> np.ndarray:
    """Skewness ``m3 / m2^(3/2)`` of the neuron's spike times (population moments).

    Computed on the exact spike steps (equivalently on the spike-time histogram
    with one bin per step); unitless, so ``dt_ms`` does not enter.  ``fill``
    below 2 spikes.
    """
    return _skew(_prepare(neuron, step, neurons, n_steps), _check_fill(fill))


def spike_time_kurtosis(
    neuron: Any, step: Any, neurons: Any, n_steps: int, *, fill: float = 0.0
) -> np.ndarray:
    """Excess kurtosis ``m4 / m2^2 - 3`` of the neuron's spike times; ``fill`` below 2 spikes."""
    return _kurt(_prepare(neuron, step, neurons, n_steps), _check_fill(fill))


def burst_counts(
    neuron: Any,
    step: Any,
    neurons: Any,
    n_steps: int,
    *,
    max_isi_steps: int = 1,
    min_spikes: int = 2,
) -> np.ndarray:
    """Number of bursts: maximal runs of spikes whose successive ISIs are all ``<= max_isi_steps``
    and that contain at least ``min_spikes`` spikes (always defined, 0 for a silent neuron).

    The default (``max_isi_steps=1``) is the "contiguous run of 1s" of a binary
    spike train; ``min_spikes=2`` keeps a lone spike from counting as a burst.
    ``min_spikes=1`` reproduces the snnpy definition, under which every isolated
    spike is a burst (and, with a refractory period of >= 1 step, the burst count
    equals the spike count).
    """
    mi = check_int(max_isi_steps, "max_isi_steps", low=1)
    ms = check_int(min_spikes, "min_spikes", low=1)
    return _bursts(_prepare(neuron, step, neurons, n_steps), mi, ms)


def extract_features(
    neuron: Any,
    step: Any,
    neurons: Any,
    n_steps: int,
    dt_ms: float = 1.0,
    *,
    fill: float = 0.0,
    n_bins: int = 10,
    bin_steps: int = 1,
    max_isi_steps: int = 1,
    min_spikes: int = 2,
) -> dict[str, np.ndarray]:
    """All readout features at once, keyed by :data:`FEATURE_NAMES`.

    Validates and sorts the events once.  Keyword arguments are passed to the
    individual features (see their docstrings); each value is a float64 array
    with one entry per selected neuron.
    """
    fl = _check_fill(fill)
    ev = _prepare(neuron, step, neurons, n_steps, dt_ms)
    nb = check_count(n_bins, "n_bins", low=1)
    bs = check_count(bin_steps, "bin_steps", low=1)
    mi = check_int(max_isi_steps, "max_isi_steps", low=1)
    ms = check_int(min_spikes, "min_spikes", low=1)
    return {
        "spike_count": _count(ev),
        "rate_hz": _rate(ev),
        "first_spike_time_ms": _first(ev, fl),
        "last_spike_time_ms": _last(ev, fl),
        "mean_spike_time_ms": _mean_time(ev, fl),
        "mean_isi_ms": _mean_isi(ev, fl),
        "isi_variance_ms2": _isi_var(ev, fl),
        "isi_cv": _isi_cv(ev, fl),
        "spike_entropy_bits": _entropy(ev, nb, fl),
        "burstiness": _burstiness(ev, fl),
        "autocorrelation_lag1": _autocorr(ev, bs, fl),
        "half_asymmetry": _half_asym(ev, fl),
        "spike_time_skewness": _skew(ev, fl),
        "spike_time_kurtosis": _kurt(ev, fl),
        "burst_count": _bursts(ev, mi, ms),
    }


def features_from_events(events: Any, neurons: Any, **kwargs: Any) -> dict[str, np.ndarray]:
    """:func:`extract_features` of a :class:`~sc_neurocore.network.SpikeEvents` record.

    The window is the record's ``[t_start, t_stop)`` (steps are taken relative
    to ``t_start``, so a record from a resumed run or from
    ``SpikeEvents.window`` works), ``dt_ms`` is the record's ``dt``; keyword
    arguments go to :func:`extract_features`.
    """
    for attr in ("neurons", "steps", "t_start", "t_stop", "dt"):
        if not hasattr(events, attr):
            raise TypeError(f"events must be a SpikeEvents record; got {type(events).__name__}")
    n_steps = int(events.t_stop) - int(events.t_start)
    if n_steps < 1:
        raise ValueError(
            f"events must cover at least one step; got window [{events.t_start}, {events.t_stop})")
    steps = np.asarray(events.steps, dtype=np.int64) - int(events.t_start)
    return extract_features(np.asarray(events.neurons, dtype=np.int64), steps, neurons, n_steps,
                            float(events.dt), **kwargs)
