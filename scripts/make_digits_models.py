"""Write the trained digits models that ``tests/test_deploy_digits.py`` checks exact SC counts on.

Float training sums with the BLAS, whose last bits depend on the CPU, and training
amplifies them: another machine trains slightly different weights.  The SC
evaluation of a *given* model is exact integer arithmetic (and its calibration
sums exactly, see ``sc_neurocore.deploy.activation_scales``), so the exact accuracy
counts are asserted on these stored models, the same on every machine:

* ``tests/data/digits_mlp.npz``: ``train_mlp`` defaults (64-32-10, seed 0) on the
  documented split (``load_digits_split()``, seed 12);
* ``tests/data/digits_mlp_sc_finetuned.npz``: that model after ``sc_finetune``
  (W = 16, L = 1024, APC, unipolar, seed 0), with its ``act_scales``.

Usage::

    python scripts/make_digits_models.py             # (re)write both files
    python scripts/make_digits_models.py --check     # exit 1 if retraining here differs
    python scripts/make_digits_models.py --seed-study 20   # float / SC counts for train_mlp seeds 0..19

The seed study backs the bounds of ``test_training_reaches_documented_bounds``
(a model trained on another machine is checked against bounds, not counts).

Run it with the package importable (``pip install -e ".[ml]"``: the ``ml`` extra
brings scikit-learn, for the digits).  Rewriting the files changes
the counts asserted in ``tests/test_deploy_digits.py``: re-measure them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from sc_neurocore.deploy import (
    ENCODERS,
    FloatMLP,
    evaluate,
    load_digits_split,
    predict_float,
    sc_finetune,
    to_sc,
    train_mlp,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FLOAT_MODEL = "digits_mlp.npz"
FINETUNED_MODEL = "digits_mlp_sc_finetuned.npz"


def train() -> dict[str, FloatMLP]:
    """The two models, trained on this machine."""
    d = load_digits_split()
    mlp = train_mlp(d.x_train, d.y_train)
    return {FLOAT_MODEL: mlp, FINETUNED_MODEL: sc_finetune(mlp, d.x_train, d.y_train, length=1024)}


def seed_study(n_seeds: int) -> None:
    """Print, per ``train_mlp`` seed, the correct test images of the float model and per encoder."""
    d = load_digits_split()
    print("seed  float  " + "  ".join(f"{e:>9}" for e in ENCODERS) + "  float - worst SC")
    for seed in range(n_seeds):
        m = train_mlp(d.x_train, d.y_train, seed=seed)
        n_float = int((predict_float(m, d.x_test) == d.y_test).sum())
        sc = [int((evaluate(to_sc(m, encoder=e, calibration=d.x_train), d.x_test).predictions
                   == d.y_test).sum()) for e in ENCODERS]
        print(f"{seed:4d}  {n_float:5d}  " + "  ".join(f"{c:9d}" for c in sc) + f"  {n_float - min(sc):16d}",
              flush=True)


def _same(a: FloatMLP, b: FloatMLP) -> bool:
    pairs = zip(a.weights + a.biases, b.weights + b.biases, strict=True)
    return all(np.array_equal(x, y) for x, y in pairs) and a.act_scales == b.act_scales


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare a fresh training with the stored files")
    ap.add_argument("--seed-study", type=int, metavar="N",
                    help="print accuracy counts for seeds 0..N-1 and exit")
    args = ap.parse_args(argv)
    if args.seed_study is not None:
        seed_study(args.seed_study)
        return 0
    models = train()
    if args.check:
        differ = [n for n, m in models.items() if not _same(m, FloatMLP.load(DATA / n))]
        for n in differ:
            print(f"{n}: retraining on this machine gives different weights (BLAS rounding?)")
        return 1 if differ else 0
    DATA.mkdir(parents=True, exist_ok=True)
    for name, m in models.items():
        m.save(DATA / name)
        print(f"wrote {DATA / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
