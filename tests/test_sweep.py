"""sc_neurocore.sweep without Dask: declaration, seeding, serial and process-pool runs, tables,
aggregation, resume, failures, timeouts, bad input, registered experiments and the CLI."""

from __future__ import annotations

import csv
import json
import math
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import _sweep_funcs as funcs
import numpy as np
import pytest
from conftest import NOJIT
from hypothesis import given, settings
from hypothesis import strategies as st

from sc_neurocore.sweep import (
    EXPERIMENTS,
    Sweep,
    SweepMismatchError,
    Table,
    experiment,
    hw_multiplier_design,
    run,
    sc_multiply_error,
    t_quantile,
)

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
VOLATILE = ("wall_time_s", "worker")  # the only columns that may differ between schedulers


def same_table(a: Table, b: Table) -> None:
    assert a.columns == b.columns
    for c in a.columns:
        if c not in VOLATILE:
            np.testing.assert_array_equal(a[c], b[c], err_msg=c)


def small_sweep(**kw: object) -> Sweep:
    kw.setdefault("n_seeds", 3)
    kw.setdefault("seed", 7)
    return Sweep(funcs.noisy, {"x": [0.0, 1.5, 3.0], "k": [1, 2]}, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- declaring


def test_points_are_the_grid_in_c_order():
    sw = small_sweep()
    assert sw.param_names == ("x", "k")
    assert sw.points == [{"x": x, "k": k} for x in (0.0, 1.5, 3.0) for k in (1, 2)]
    assert (sw.n_points, sw.n_seeds, sw.n_runs) == (6, 3, 18)


def test_seed_of_run_i_j_is_child_i_j_of_the_root():
    sw = small_sweep()
    root = np.random.SeedSequence(7)
    kids = root.spawn(sw.n_points)
    for i in range(sw.n_points):
        grandkids = kids[i].spawn(sw.n_seeds)
        for j in range(sw.n_seeds):
            assert np.array_equal(sw.seed_sequence(i, j).generate_state(4), grandkids[j].generate_state(4))


def test_each_run_gets_its_own_seed_whatever_the_order():
    result = run(small_sweep(), "serial", progress=False)
    rows = result.table.data
    sw = small_sweep()
    for r in rows:
        expect = funcs.noisy(
            float(r["x"]), int(r["k"]), seed=sw.seed_sequence(int(r["point"]), int(r["seed_index"]))
        )
        assert r["y"] == expect["y"]
        np.testing.assert_array_equal(r["v"], expect["v"])
    # the same sweep declared with the grid as an explicit list of points gives the same table
    pts = Sweep(funcs.noisy, points=sw.points, n_seeds=3, seed=7)
    same_table(run(pts, "serial", progress=False).table, result.table)


def test_fingerprint_covers_fn_version_points_seeds_and_root_seed():
    base = small_sweep().fingerprint
    assert small_sweep().fingerprint == base
    others = [
        small_sweep(version="2"),
        small_sweep(n_seeds=4),
        small_sweep(seed=8),
        Sweep(funcs.noisy, {"x": [0.0, 1.5, 3.5], "k": [1, 2]}, n_seeds=3, seed=7),
        Sweep(funcs.noisy, {"x": [0, 1.5, 3.0], "k": [1, 2]}, n_seeds=3, seed=7),  # int 0 vs float 0.0
        Sweep(funcs.sleepy, {"x": [0, 1]}, n_seeds=3, seed=7),
    ]
    assert len({base, *(s.fingerprint for s in others)}) == len(others) + 1
    assert small_sweep(timeout=5.0).fingerprint == base  # a timeout does not change results


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        (
            {"grid": {"x": [1.0], "z": [1]}},
            ValueError,
            r"unknown parameter name\(s\) 'z': fn .*noisy accepts k, x",
        ),
        ({"grid": {}}, ValueError, "grid must name at least one parameter; got an empty grid"),
        ({"grid": {"x": []}}, ValueError, r"grid\['x'\] must hold at least one value; got an empty list"),
        ({"points": []}, ValueError, "points must hold at least one point; got an empty list"),
        ({"grid": {"k": [1]}}, ValueError, r"requires parameter\(s\) 'x' that the grid does not give"),
        ({"grid": {"x": [1.0, "a"]}}, TypeError, "parameter 'x' mixes value types float, str; use one type"),
        (
            {"grid": {"x": [1.0, None]}},
            TypeError,
            "parameter 'x' values must be int, float, str or bool; got NoneType",
        ),
        ({"grid": {"x": [float("nan")]}}, ValueError, "parameter 'x' must be finite; got nan"),
        ({"grid": {"x": [1.0, 1.0]}}, ValueError, r"grid\['x'\] must not repeat a value"),
        ({"grid": {"x": "abc"}}, TypeError, r"grid\['x'\] must be a list of values; got str"),
        (
            {"grid": {"x": [1.0]}, "n_seeds": 0},
            ValueError,
            r"n_seeds must be an integer in \[1, 2147483647\]; got 0",
        ),
        ({"grid": {"x": [1.0]}, "seed": -1}, ValueError, r"seed must be an integer in \[0, inf\]; got -1"),
        ({"grid": {"x": [1.0]}, "timeout": 0.0}, ValueError, r"timeout must be in \(0.0, inf\); got 0.0"),
        ({"grid": {"x": [1.0]}, "version": 1.5}, TypeError, "version must be a str; got float 1.5"),
        ({"grid": {"worker": [1.0]}}, ValueError, "parameter name 'worker' is reserved"),
        ({"grid": {"x": [1.0]}, "points": [{"x": 1.0}]}, TypeError, "give exactly one of grid"),
    ],
)
def test_bad_declarations_are_refused(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Sweep(funcs.noisy, **kwargs)


def test_function_without_seed_keyword_is_refused():
    def f(x):  # pragma: no cover - never called
        return {"y": x}

    with pytest.raises(TypeError, match="must accept a 'seed' keyword argument"):
        Sweep(f, {"x": [1]})


def test_non_serialisable_function_is_refused_before_anything_runs(tmp_path):
    sw = Sweep(lambda x, seed: {"y": x}, {"x": [1, 2]})
    with pytest.raises(TypeError, match="fn must be serialisable to run on a process pool .*lambdas"):
        run(sw, "processes", out=tmp_path, progress=False)
    assert not (tmp_path / "results.jsonl").exists()
    # in this process it runs fine
    assert run(sw, "serial", progress=False).table["y"].tolist() == [1.0, 2.0]


def test_a_metric_that_is_not_a_number_or_array_is_a_type_error(tmp_path):
    sw = Sweep(funcs.bad_metric, {"x": [0, 1, 2]})
    with pytest.raises(
        TypeError,
        match=r"run \(point 1, seed 0\) with parameters \{'x': 1\}: metric 'label' "
        r"must be a number or a numeric array; got str 'abc'",
    ):
        run(sw, "serial", out=tmp_path, progress=False)
    # the run before it was kept
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ([1.0], "must return a mapping of metric names to numbers or arrays; got list"),
        ({}, "must return at least one metric; got an empty mapping"),
        (
            {"a": np.zeros((0,))},
            r"metric 'a' must be a number or a numeric array of 1 to 4096 elements; got an array of dtype float64 and shape \(0,\)",
        ),
        (
            {"a": np.array(["x"])},
            "metric 'a' must be a number or a numeric array of 1 to 4096 elements; got an array of dtype <U1",
        ),
        ({"a": None}, "metric 'a' must be a number or a numeric array; got NoneType"),
        ({"bad name": 1.0}, "metric names must be Python identifiers; got 'bad name'"),
    ],
)
def test_metric_checks(value, match):
    from sc_neurocore.sweep._worker import check_metrics

    with pytest.raises((TypeError, ValueError), match=match):
        check_metrics(value)


def test_bad_run_arguments():
    sw = small_sweep()
    with pytest.raises(
        ValueError, match="scheduler must be None, 'processes', 'serial', 'local', a Dask scheduler"
    ):
        run(sw, "threads")
    with pytest.raises(ValueError, match="n_workers must be an integer >= 1 or None; got 0"):
        run(sw, n_workers=0)
    with pytest.raises(TypeError, match="sweep must be a Sweep; got dict"):
        run({"x": [1]})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="restart must be a bool; got int 1"):
        run(sw, restart=1)  # type: ignore[arg-type]


def test_dask_schedulers_without_distributed_name_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    sw = Sweep(funcs.fails_on_two, {"x": [0, 1]})
    for where in ("local", "tcp://127.0.0.1:8786"):
        with pytest.raises(
            ImportError,
            match=r'needs dask.distributed, which is not installed: .*"sc-neurocore\[distributed\]"',
        ):
            run(sw, where)
    assert run(sw, "serial", progress=False).n_run == 2  # the local paths need no Dask


# ---------------------------------------------------------------------- schedulers agree


def test_serial_and_process_pool_give_the_same_table():
    serial = run(small_sweep(), "serial", progress=False)
    pooled = run(small_sweep(), "processes", n_workers=2, progress=False)
    same_table(serial.table, pooled.table)
    assert len(serial.table) == 18 and serial.n_run == 18 and not serial.failures


# ---------------------------------------------------------------------- results


def test_table_columns_types_and_csv_round_trip(tmp_path):
    result = run(small_sweep(), "serial", progress=False)
    t = result.table
    assert t.columns == ("x", "k", "point", "seed_index", "y", "v", "wall_time_s", "worker")
    assert t.param_names == ("x", "k") and t.metric_names == ("y", "v")
    assert t["x"].dtype == np.float64 and t["k"].dtype == np.int64 and t["v"].shape == (18, 3)
    assert np.all(t["wall_time_s"] >= 0) and all(w for w in t["worker"])
    with pytest.raises(ValueError, match="read-only"):
        t.data["y"][0] = 1.0
    t.to_csv(tmp_path / "t.csv")
    with open(tmp_path / "t.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["x", "k", "point", "seed_index", "y", "v[0]", "v[1]", "v[2]", "wall_time_s", "worker"]
    assert [float(r[4]) for r in rows[1:]] == t["y"].tolist()  # floats read back exactly
    assert [float(r[6]) for r in rows[1:]] == t["v"][:, 1].tolist()


def test_parquet_round_trip(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    t = run(small_sweep(), "serial", progress=False).table
    t.to_parquet(tmp_path / "t.parquet")
    back = pq.read_table(tmp_path / "t.parquet").to_pydict()
    assert list(back) == list(t.columns)
    assert back["y"] == t["y"].tolist() and back["v"] == t["v"].tolist() and back["k"] == t["k"].tolist()


def test_parquet_needs_pyarrow(tmp_path, monkeypatch):
    t = run(small_sweep(n_seeds=1), "serial", progress=False).table
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match="Table.to_parquet needs pyarrow: python -m pip install pyarrow"):
        t.to_parquet(tmp_path / "t.parquet")


def test_t_quantile_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2, 3, 5, 10, 29, 100, 1000):
        for q in (0.6, 0.9, 0.975, 0.995, 0.9995):
            assert t_quantile(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-10)
    with pytest.raises(ValueError, match=r"q must be in \(0.5, 1\); got 0.5"):
        t_quantile(0.5, 3)


def test_aggregate_is_mean_sem_and_student_t_interval():
    result = run(small_sweep(n_seeds=5), "serial", progress=False)
    agg = result.aggregate(confidence=0.9)
    assert len(agg) == 6 and agg.columns[:4] == ("x", "k", "point", "n")
    t = result.table.data
    for row in agg.data:
        y = t["y"][t["point"] == row["point"]]
        v = t["v"][t["point"] == row["point"]]
        sem = y.std(ddof=1) / math.sqrt(5)
        half = t_quantile(0.95, 4) * sem
        assert row["n"] == 5
        assert row["y_mean"] == pytest.approx(y.mean(), rel=1e-12)
        assert row["y_sem"] == pytest.approx(sem, rel=1e-12)
        assert (row["y_ci_low"], row["y_ci_high"]) == pytest.approx(
            (y.mean() - half, y.mean() + half), rel=1e-12
        )
        np.testing.assert_allclose(row["v_mean"], v.mean(axis=0), rtol=1e-12)
    one = run(small_sweep(n_seeds=1), "serial", progress=False).aggregate()
    assert np.all(np.isnan(one["y_sem"])) and np.all(one["n"] == 1)


def test_plot_metric_one_line_per_hue_with_ci_error_bars():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = run(small_sweep(n_seeds=4), "serial", progress=False)
    ax = result.plot("y", "x", hue="k")
    try:
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["k = 1", "k = 2"]
        agg = result.aggregate().data
        assert len(ax.containers) == 2  # one errorbar container per hue value
        for bars, k in zip(ax.containers, (1, 2), strict=True):
            sel = agg[agg["k"] == k]
            line, _caps, (segments,) = bars.lines
            np.testing.assert_allclose(line.get_xdata(), sel["x"])
            np.testing.assert_allclose(line.get_ydata(), sel["y_mean"])
            # each error bar spans the point's confidence interval
            ends = np.array([seg[:, 1] for seg in segments.get_segments()])
            np.testing.assert_allclose(ends, np.column_stack([sel["y_ci_low"], sel["y_ci_high"]]))
        with pytest.raises(ValueError, match="parameter 'k' takes 2 values; fix one with where="):
            result.plot("y", "x")
        ax2 = result.plot("y", "x", where={"k": 2})
        np.testing.assert_allclose(ax2.get_lines()[0].get_ydata(), agg[agg["k"] == 2]["y_mean"])
        with pytest.raises(ValueError, match="metric must be one of y, v; got 'z'"):
            result.plot("z", "x", hue="k")
    finally:
        plt.close("all")


# ---------------------------------------------------------------------- failures and timeouts


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    sw = Sweep(funcs.fails_on_two, {"x": [0, 1, 2, 3]}, n_seeds=2)
    result = run(sw, "serial", out=tmp_path, progress=False)
    assert len(result.table) == 6 and sorted(set(result.table["x"].tolist())) == [0, 1, 3]
    assert [(f.point, f.seed_index) for f in result.failures] == [(2, 0), (2, 1)]
    f = result.failures[0]
    assert f.error == "ValueError: x = 2 is not allowed here" and f.params == {"x": 2}
    assert "Traceback" in f.traceback and "fails_on_two" in f.traceback
    assert "FAILED point 2 seed 0 {'x': 2}: ValueError: x = 2 is not allowed here" in result.summary()
    assert result.summary().startswith("6 of 8 runs done (0 from earlier runs, 8 run now), 2 failed")
    # a re-run retries only the failed runs
    again = run(sw, "serial", out=tmp_path, progress=False)
    assert sorted(again.ran) == [(2, 0), (2, 1)] and again.n_skipped == 6 and len(again.failures) == 2


def test_metrics_must_be_the_same_for_every_run_and_not_clash_with_columns():
    with pytest.raises(
        TypeError,
        match=r"every run must return the same metrics \(names and array shapes\): run "
        r"\(point 0, seed 0\) returned \{'y': \(\)\}, run \(point 1, seed 0\) "
        r"returned \{'y': \(\), 'extra': \(\)\}",
    ):
        run(Sweep(funcs.metric_named, {"x": [0, 1]}), "serial", progress=False)
    for name in ("x", "worker"):
        with pytest.raises(
            TypeError, match=f"metric name\\(s\\) '{name}' clash with the parameter names or the reserved"
        ):
            run(Sweep(funcs.metric_named, {"x": [0], "name": [name]}), "serial", progress=False)


def test_a_dead_pool_worker_fails_the_unfinished_runs_and_a_rerun_retries_them(tmp_path):
    sw = Sweep(funcs.exit_on_one, {"x": [0, 1, 2, 3]})
    result = run(sw, "processes", n_workers=2, out=tmp_path, progress=False)
    assert 1 in [f.point for f in result.failures]
    assert all(f.error.startswith("BrokenProcessPool: a worker process died") for f in result.failures)
    assert sorted(result.table["point"].tolist() + [f.point for f in result.failures]) == [0, 1, 2, 3]
    again = run(sw, "processes", n_workers=2, out=tmp_path, progress=False)
    assert sorted(i for i, _ in again.ran) == sorted(f.point for f in result.failures)


def test_timeout_stops_a_run_and_the_sweep_goes_on():
    sw = Sweep(funcs.spin_on_one, {"x": [0, 1, 2]}, timeout=0.2)
    result = run(sw, "serial", progress=False)
    assert result.table["x"].tolist() == [0, 2]
    assert [f.point for f in result.failures] == [1]
    assert result.failures[0].error == "PointTimeout: the run exceeded the timeout of 0.2 s"


def test_progress_bar_shows_done_total_and_failures(capsys):
    pytest.importorskip("tqdm")
    run(Sweep(funcs.fails_on_two, {"x": [1, 2, 3]}), "serial", progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "failed=1" in err


# ---------------------------------------------------------------------- resume


def test_resume_skips_done_runs_and_refuses_a_different_sweep(tmp_path):
    first = run(small_sweep(), "serial", out=tmp_path, progress=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["fingerprint"] == small_sweep().fingerprint and manifest["n_points"] == 6
    again = run(small_sweep(), "serial", out=tmp_path, progress=False)
    assert (again.n_run, again.n_skipped) == (0, 18)
    same_table(first.table, again.table)
    np.testing.assert_array_equal(
        first.table["wall_time_s"], again.table["wall_time_s"]
    )  # read back, not rerun
    for changed, what in (
        (small_sweep(version="2"), "version"),
        (small_sweep(n_seeds=4), "n_seeds"),
        (Sweep(funcs.noisy, {"x": [0.0, 1.5], "k": [1, 2]}, n_seeds=3, seed=7), "n_points, points"),
    ):
        with pytest.raises(
            SweepMismatchError,
            match=f"holds results of a different sweep: .*differs in: {what}.*restart=True",
        ):
            run(changed, "serial", out=tmp_path, progress=False)
    fresh = run(small_sweep(version="2"), "serial", out=tmp_path, restart=True, progress=False)
    assert fresh.n_run == 18 and len((tmp_path / "results.jsonl").read_text().splitlines()) == 18


def test_a_torn_last_line_is_dropped_and_its_run_rerun(tmp_path):
    run(small_sweep(), "serial", out=tmp_path, progress=False)
    path = tmp_path / "results.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:10]) + lines[10][: len(lines[10]) // 2])  # killed mid-write
    again = run(small_sweep(), "serial", out=tmp_path, progress=False)
    assert again.n_skipped == 10 and again.n_run == 8 and len(again.table) == 18
    assert len(path.read_text().splitlines()) == 18
    assert all(json.loads(line) for line in path.read_text().splitlines())


@pytest.mark.parametrize(
    ("line", "match"),
    [
        (b"{not json}\n", r"results.jsonl:19: not valid JSON"),
        (
            b'{"status": "ok", "point": 99, "seed_index": 0}\n',
            r"results.jsonl:19: point 99 / seed_index 0 outside",
        ),
        (
            b'{"status": "ok", "point": 0, "seed_index": 0, "params": {"x": 9.0, "k": 1}}\n',
            r"results.jsonl:19: parameters",
        ),
        (b"[1, 2]\n", r"results.jsonl:19: not a sweep result record"),
    ],
)
def test_a_corrupt_results_file_is_reported_with_file_and_line(tmp_path, line, match):
    run(small_sweep(), "serial", out=tmp_path, progress=False)
    with open(tmp_path / "results.jsonl", "ab") as f:
        f.write(line)
    with pytest.raises(ValueError, match=match):
        run(small_sweep(), "serial", out=tmp_path, progress=False)


def test_results_without_manifest_are_refused(tmp_path):
    (tmp_path / "results.jsonl").write_text("")
    with pytest.raises(SweepMismatchError, match="exists without manifest.json"):
        run(small_sweep(), "serial", out=tmp_path, progress=False)


DRIVER = textwrap.dedent(
    """
    import sys
    import _sweep_funcs as funcs
    from sc_neurocore.sweep import Sweep, run

    if __name__ == "__main__":
        run(Sweep(funcs.sleepy, {"x": list(range(12)), "delay": [0.15]}, n_seeds=1), "serial",
            out=sys.argv[1], progress=False)
    """
)


def test_killing_the_driver_loses_only_runs_in_flight(tmp_path):
    out = tmp_path / "out"
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen([sys.executable, str(script), str(out)], env=env)
    results = out / "results.jsonl"
    try:
        deadline = time.monotonic() + 120.0  # a safety net for a broken driver, not a performance limit
        while not (results.exists() and len(results.read_bytes().splitlines()) >= 3):
            assert proc.poll() is None, "the driver exited before it was killed"
            assert time.monotonic() < deadline, "the driver wrote no results"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = {
        json.loads(line)["point"]
        for line in results.read_bytes().splitlines(keepends=True)
        if line.endswith(b"\n")
    }
    assert 3 <= len(done) < 12
    sw = Sweep(funcs.sleepy, {"x": list(range(12)), "delay": [0.15]}, n_seeds=1)
    again = run(sw, "serial", out=out, progress=False)
    assert sorted(i for i, _ in again.ran) == sorted(set(range(12)) - done)
    assert again.table["point"].tolist() == list(range(12))
    assert sorted(json.loads(line)["point"] for line in results.read_text().splitlines()) == list(range(12))


# ---------------------------------------------------------------------- registered experiments


def test_three_experiments_are_registered_and_picklable():
    assert {"sc_multiply_error", "decision_accuracy", "hw_multiplier_design"} <= set(EXPERIMENTS)
    for exp in EXPERIMENTS.values():
        assert pickle.loads(pickle.dumps(exp.fn)) is exp.fn
        assert exp.sweep().n_points >= 1
    with pytest.raises(
        ValueError,
        match="experiment must be one of 'decision_accuracy', 'hw_multiplier_design', "
        "'sc_multiply_error'; got 'nope'",
    ):
        experiment("nope")


def test_register_experiment_refuses_a_second_function_under_a_taken_name(monkeypatch):
    from sc_neurocore.sweep import register_experiment

    monkeypatch.setitem(EXPERIMENTS, "sc_multiply_error", EXPERIMENTS["sc_multiply_error"])  # restored after
    with pytest.raises(ValueError, match="experiment 'sc_multiply_error' is already registered with"):
        register_experiment("sc_multiply_error", funcs.noisy, version="1", description="x")
    again = register_experiment(
        "sc_multiply_error", sc_multiply_error, version="2", description="again", default_grid={"length": [8]}
    )
    assert EXPERIMENTS["sc_multiply_error"] is again
    assert again.sweep({"encoder": ["sobol"]}).version == "sc_multiply_error/2"


# Bonferroni: each example's exact binomial test rejects a true null with probability <= 1e-7; the
# test's false-failure probability is <= 1e-7 * max_examples (<= 6e-6 at the "ci" profile's 60).
@settings(max_examples=10 if NOJIT else 30)
@given(p=st.floats(0.0, 1.0), q=st.floats(0.0, 1.0), length=st.sampled_from([1, 63, 64, 200, 1024]))
def test_bernoulli_multiply_counts_are_binomial(p, q, length):
    stats = pytest.importorskip("scipy.stats")
    sw = experiment("sc_multiply_error").sweep(
        {"length": [length], "encoder": ["bernoulli"], "p": [p], "q": [q]}, n_seeds=20, seed=3
    )
    t = run(sw, "serial", progress=False).table
    ones = int(np.rint(t["estimate"] * length).sum())
    n = 20 * length
    pq = (round(p * 2**32) / 2**32) * (round(q * 2**32) / 2**32)  # the encoder's 32-bit thresholds
    assert t["theory_se"][0] == pytest.approx(math.sqrt(p * q * (1 - p * q) / length))
    if pq in (0.0, 1.0):
        assert ones == round(pq * n)
    else:
        assert stats.binomtest(ones, n, pq).pvalue > 1e-7


def test_sobol_multiply_matches_a_plain_python_count():
    from sc_neurocore import bitstream as bs

    for length in (1, 100, 1024):
        got = sc_multiply_error(length, "sobol", p=0.3, q=0.7, seed=np.random.SeedSequence(0))
        x0, x1 = bs.sobol_points(length, 0), bs.sobol_points(length, 1)
        tp, tq = round(0.3 * 2**32), round(0.7 * 2**32)
        ones = sum(1 for a, b in zip(x0.tolist(), x1.tolist(), strict=True) if a < tp and b < tq)
        assert got["estimate"] == ones / length and got["error"] == ones / length - 0.3 * 0.7


def test_hw_multiplier_is_bit_exact_with_the_core_lfsr_encoder():
    for width, length in ((8, 300), (12, 1000)):
        s = np.random.SeedSequence(11)
        hw = hw_multiplier_design(width, length, area=False, seed=s)
        core = sc_multiply_error(length, "lfsr", width=width, seed=s)
        assert hw["estimate"] == core["estimate"] and math.isnan(hw["area_cells"])


@pytest.mark.rtl
def test_hw_multiplier_area_with_yosys():
    import shutil

    if not shutil.which("yosys"):
        pytest.skip("yosys not installed")
    got = hw_multiplier_design(8, 64, seed=np.random.SeedSequence(1))
    assert got["flip_flops"] == 16 and got["area_cells"] > 16  # two 8-bit registers plus logic


@pytest.mark.slow
def test_decision_experiment_reports_accuracy_and_its_binomial_stderr():
    got = experiment("decision_accuracy").fn(
        0.5, "pools", n=100, n_pool=10, n_train=4, n_test=10, seed=np.random.SeedSequence(2)
    )
    acc = got["accuracy"]
    assert acc in {k / 10 for k in range(11)}
    assert got["stderr"] == pytest.approx(math.sqrt(acc * (1 - acc) / 10))


# ---------------------------------------------------------------------- CLI


def test_cli_runs_a_spec_and_resumes(tmp_path, capsys):
    from sc_neurocore._cli import main

    spec = tmp_path / "spec.toml"
    spec.write_text(
        'experiment = "sc_multiply_error"\nn_seeds = 3\nseed = 5\n'
        '[grid]\nlength = [64, 256]\nencoder = ["bernoulli", "sobol"]\n'
    )
    out = tmp_path / "out"
    args = ["sweep", str(spec), "--scheduler", "serial", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "12 of 12 runs done (0 from earlier runs, 12 run now), 0 failed" in text
    with open(out / "aggregate.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 4
    assert main(args) == 0
    assert "(12 from earlier runs, 0 run now)" in capsys.readouterr().out
    spec.write_text('experiment = "sc_multiply_error"\nn_seeds = 4\n[grid]\nlength = [64]\n')
    assert main(args) == 2
    assert "holds results of a different sweep" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('experiment = "nope"\n', "experiment must be one of"),
        ('experiment = "sc_multiply_error"\ncolour = 1\n', "unknown key\\(s\\) 'colour'"),
        ("n_seeds = 2\n", "must name an experiment"),
        (
            'experiment = "sc_multiply_error"\n[grid]\nwidth_x = [1]\n',
            "unknown parameter name\\(s\\) 'width_x'",
        ),
        ("experiment = [\n", "is not valid TOML"),
    ],
)
def test_cli_bad_spec_exits_2_with_the_reason(tmp_path, capsys, text, match):
    from sc_neurocore._cli import main

    spec = tmp_path / "spec.toml"
    spec.write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(spec), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2
    assert pytest.importorskip("re").search(match, capsys.readouterr().err)


def test_threads_can_run_sweeps_concurrently():
    # run() keeps no global state: two serial sweeps in two threads give the serial tables
    results: dict[int, object] = {}

    def go(k: int) -> None:
        results[k] = run(small_sweep(seed=k), "serial", progress=False)

    threads = [threading.Thread(target=go, args=(k,)) for k in (1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for k in (1, 2):
        same_table(results[k].table, run(small_sweep(seed=k), "serial", progress=False).table)  # type: ignore[attr-defined]
