"""The output directory of a resumable sweep (private).

``DIR/manifest.json`` names the sweep (fingerprint, function, version, points,
seeds) and is written atomically (temporary file, fsync, rename).
``DIR/results.jsonl`` holds one JSON line per finished run, ok or failed.
Each line is appended with a single ``write`` on an ``O_APPEND`` descriptor
(and fsync'd at least once a second), so a killed driver leaves at most one
incomplete last line; it is dropped on load (that run is run again).  Both files are untrusted input:
anything malformed is reported with the file and line.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ._spec import Sweep, fn_name

__all__ = ["SweepMismatchError", "ResultStore", "MANIFEST", "RESULTS"]

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
_FORMAT = 1
#: Longest time between two fsyncs of the results file, in seconds.
FSYNC_INTERVAL_S = 1.0


class SweepMismatchError(ValueError):
    """The output directory holds results of a different sweep (fingerprint mismatch)."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old or the new file, never a mix."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _manifest(sweep: Sweep) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "fingerprint": sweep.fingerprint,
        "fn": fn_name(sweep.fn),
        "version": sweep.version,
        "params": list(sweep.param_names),
        "n_points": sweep.n_points,
        "n_seeds": sweep.n_seeds,
        "points": sweep.points,
    }


def _check_record(rec: Any, sweep: Sweep, where: str) -> tuple[int, int]:
    """(point, seed_index) of a stored record, or a ValueError naming ``where``."""
    if not isinstance(rec, dict) or rec.get("status") not in ("ok", "failed"):
        raise ValueError(f"{where}: not a sweep result record")
    i, j = rec.get("point"), rec.get("seed_index")
    if not (type(i) is int and 0 <= i < sweep.n_points and type(j) is int and 0 <= j < sweep.n_seeds):
        raise ValueError(
            f"{where}: point {i!r} / seed_index {j!r} outside the sweep's "
            f"{sweep.n_points} points x {sweep.n_seeds} seeds"
        )
    if rec.get("params") != sweep.point(i):
        raise ValueError(
            f"{where}: parameters {rec.get('params')!r} differ from point {i} {sweep.point(i)!r}"
        )
    if not isinstance(rec.get("wall_time_s"), (int, float)) or not isinstance(rec.get("worker"), str):
        raise ValueError(f"{where}: wall_time_s / worker missing or of the wrong type")
    if rec["status"] == "ok":
        if not isinstance(rec.get("metrics"), dict):
            raise ValueError(f"{where}: metrics missing")
    elif not isinstance(rec.get("error"), str):
        raise ValueError(f"{where}: error message missing")
    return i, j


class ResultStore:
    """Manifest and append-only results of one sweep in ``out``.

    Opening checks the manifest against ``sweep``: a different fingerprint
    raises :class:`SweepMismatchError` unless ``restart`` is true, in which
    case the old manifest and results are deleted (nothing else in ``out`` is
    touched).
    """

    def __init__(self, out: str | os.PathLike[str], sweep: Sweep, restart: bool = False) -> None:
        self.dir = Path(out)
        if self.dir.exists() and not self.dir.is_dir():
            raise ValueError(f"out must be a directory; got {str(self.dir)!r}, which is a file")
        self.manifest_path = self.dir / MANIFEST
        self.results_path = self.dir / RESULTS
        self.sweep = sweep
        if restart:
            self.results_path.unlink(missing_ok=True)
            self.manifest_path.unlink(missing_ok=True)
        elif self.manifest_path.exists():
            self._check_manifest()
        elif self.results_path.exists():
            raise SweepMismatchError(
                f"{self.results_path} exists without {MANIFEST}: cannot tell which sweep "
                "wrote it; pass restart=True to discard it and start over"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.manifest_path.exists():
            atomic_write_text(self.manifest_path, json.dumps(_manifest(sweep), indent=1) + "\n")
        self.records = self._load()
        self._fd: int | None = None
        self._synced = time.monotonic()

    def _check_manifest(self) -> None:
        try:
            old = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{self.manifest_path} is not a readable sweep manifest: {exc}") from None
        if not isinstance(old, dict) or not isinstance(old.get("fingerprint"), str):
            raise ValueError(f"{self.manifest_path} is not a sweep manifest (no fingerprint)")
        if old["fingerprint"] != self.sweep.fingerprint:
            new = _manifest(self.sweep)
            diffs = [
                k
                for k in ("fn", "version", "params", "n_points", "n_seeds", "points")
                if old.get(k) != new[k]
            ]
            raise SweepMismatchError(
                f"{self.dir} holds results of a different sweep: fingerprint {old['fingerprint'][:12]} "
                f"there, {new['fingerprint'][:12]} now (differs in: {', '.join(diffs) or 'root seed'}); "
                "pass restart=True (CLI: --restart) to discard those results and start over, "
                "or choose another output directory"
            )

    def _load(self) -> dict[tuple[int, int], dict[str, Any]]:
        """Latest record per run; drops (and truncates away) an incomplete last line."""
        records: dict[tuple[int, int], dict[str, Any]] = {}
        if not self.results_path.exists():
            return records
        data = self.results_path.read_bytes()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):  # torn last line of a killed driver: that run is run again
            with open(self.results_path, "r+b") as f:
                f.truncate(complete)
        for lineno, line in enumerate(data[:complete].splitlines(), start=1):
            where = f"{self.results_path}:{lineno}"
            try:
                rec = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValueError(
                    f"{where}: not valid JSON ({exc}); fix or delete the line, or restart"
                ) from None
            records[_check_record(rec, self.sweep, where)] = rec
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Append one run's record as a single ``write`` of a whole line.

        Once written, the line survives the driver being killed (it is in the
        operating system's cache); ``fsync`` runs at most every
        :data:`FSYNC_INTERVAL_S` seconds and at :meth:`close`, so an OS crash or
        power cut loses at most that last interval (a syncing ``fsync`` per
        line would cost milliseconds per run).
        """
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        if self._fd is None:
            self._fd = os.open(self.results_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        view = memoryview(line)
        while view:
            view = view[os.write(self._fd, view) :]
        now = time.monotonic()
        if now - self._synced >= FSYNC_INTERVAL_S:
            os.fsync(self._fd)
            self._synced = now
        self.records[(record["point"], record["seed_index"])] = record

    def close(self) -> None:
        """Flush the results file to disk and close it (appending again reopens it)."""
        if self._fd is not None:
            try:
                os.fsync(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None
