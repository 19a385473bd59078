"""cio-fix's cost and reach.

(a) `cio-fix --check` over this interpreter's standard library vs `flake8 --select CIO` over the same tree
    (target <= 1.5x), both with -j2, medians of --runs runs, interleaved;
(b) fix rate on the Customer.io-using files in this repository (examples/, tests/eval_files, tests/fixes):
    findings before, fixed with safe fixes, fixed with --unsafe-fixes, left.
Usage: python bench/fix_bench.py [--runs 5]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flake8_cio.fixers.transform import fix_source  # noqa: E402
from flake8_cio.engine import check_source  # noqa: E402
from flake8_cio.options import Options  # noqa: E402

EXCLUDE = "site-packages,test/bad*,lib2to3/tests/data,test/tokenizedata"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def speed(runs: int) -> tuple[float, float]:
    stdlib = sysconfig.get_paths()["stdlib"]
    fix_cmd = [sys.executable, "-m", "flake8_cio.fixers", "--check", "-q", "--jobs", "2", *sum((["--exclude", e] for e in EXCLUDE.split(",")), []), stdlib]
    lint_cmd = [sys.executable, "-m", "flake8", "--select", "CIO", "-j", "2", "--exclude", EXCLUDE, "--exit-zero", stdlib]
    fix_times, lint_times = [], []
    for _ in range(runs):
        fix_times.append(timed(fix_cmd))
        lint_times.append(timed(lint_cmd))
    return statistics.median(fix_times), statistics.median(lint_times)


def fix_rate() -> dict:
    files = [p for pattern in ("examples/**/*.py", "tests/eval_files/**/*.py", "tests/fixes/*.py")
             for p in ROOT.glob(pattern) if not p.name.endswith(".fixed.py")]
    totals = {"files": len(files), "findings": 0, "safe_fixed": 0, "unsafe_fixed": 0, "left": 0}
    for path in files:
        source = path.read_text()
        name = str(path.relative_to(ROOT))
        before = len(check_source(source, name))
        safe = fix_source(source, name, Options())
        unsafe = fix_source(source, name, Options(), unsafe=True)
        totals["findings"] += before
        totals["safe_fixed"] += before - len(safe.remaining)
        totals["unsafe_fixed"] += before - len(unsafe.remaining)
        totals["left"] += len(unsafe.remaining)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    fix, lint = speed(args.runs)
    print(f"(a) stdlib: cio-fix --check {fix:.2f} s, flake8 --select CIO {lint:.2f} s, ratio {fix / lint:.2f} (target <= 1.5)")
    rate = fix_rate()
    print(f"(b) {rate['files']} Customer.io files, {rate['findings']} findings: safe fixes resolve {rate['safe_fixed']} "
          f"({rate['safe_fixed'] / rate['findings']:.0%}), with --unsafe-fixes {rate['unsafe_fixed']} "
          f"({rate['unsafe_fixed'] / rate['findings']:.0%}); {rate['left']} left (rules without a fix)")


if __name__ == "__main__":
    main()
