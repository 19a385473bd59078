"""cio-fix's cost and reach.

(a) `cio-fix --check` vs `flake8 --select CIO` on the same Customer.io-heavy corpus (target <= 1.5x, moonshot
    1.1x), both with -j2, medians of --runs runs, interleaved. The corpus is generated here: --files modules of
    application code (Flask views, Celery tasks, services, models) where every module uses the SDK and most have
    something to fix, so no file is skipped by the substring prefilter and every one is libcst-parsed;
(b) fix rate on the Customer.io-using files in this repository (examples/, tests/eval_files, tests/fixes):
    findings before, fixed with safe fixes (also as in a project that does not declare flake8-cio as a runtime
    dependency, where runtime-client fixes are unsafe), fixed with --unsafe-fixes, left.
Usage: python bench/fix_bench.py [--runs 5] [--files 120]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flake8_cio.fixers.transform import fix_source  # noqa: E402
from flake8_cio.engine import check_source  # noqa: E402
from flake8_cio.options import Options  # noqa: E402

HEADER = '''"""Module {i}: accounts, orders and the Customer.io glue of one service."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime

from celery import shared_task
from customerio import CustomerIO, Regions
from flask import Blueprint, jsonify, request

log = logging.getLogger(__name__)
bp = Blueprint("svc{i}", __name__)
cio = CustomerIO(os.environ["CUSTOMERIO_SITE_ID"], os.environ["CUSTOMERIO_TRACK_API_KEY"], region=Regions.EU)
'''

BLOCK = '''

@dataclass
class Order{i}_{j}:
    id: int
    user_id: int
    items: list = field(default_factory=list)
    total: float = 0.0

    def add(self, sku: str, price: float, quantity: int = 1) -> None:
        self.items.append((sku, price, quantity))
        self.total = round(sum(p * q for _, p, q in self.items), 2)

    def summary(self) -> dict:
        skus = sorted({{sku for sku, _, _ in self.items}})
        return {{"id": self.id, "skus": skus, "total": self.total, "count": len(self.items)}}


def load_orders_{j}(rows):
    orders = {{}}
    for row in rows:
        order = orders.setdefault(row["order"], Order{i}_{j}(row["order"], row["user"]))
        order.add(row["sku"], float(row["price"]), int(row.get("quantity", 1)))
    return [o for o in orders.values() if o.total > 0]


@bp.post("/orders/{j}")
def create_order_{j}():
    payload = request.get_json()
    order = Order{i}_{j}(payload["id"], payload["user_id"])
    for item in payload.get("items", []):
        order.add(item["sku"], item["price"], item.get("quantity", 1))
    log.info("order %s placed", order.id)
    summary = order.summary()
    cio.track(order.user_id, "order_placed", data={{"total": order.total, "items": len(order.items)}})
    return jsonify(summary)


@shared_task
def sync_user_{j}(user):
    cio.identify(user["id"], plan=user.get("plan", "free"), created_at=int(time.time() * 1000))
    return user["id"]


def report_{j}(orders):
    by_user = {{}}
    for order in orders:
        by_user.setdefault(order.user_id, []).append(order.total)
    lines = [f"{{user}}: {{sum(totals):.2f}} over {{len(totals)}} orders" for user, totals in sorted(by_user.items())]
    return "\\n".join(lines), datetime.now()
'''


def write_corpus(folder: Path, files: int, blocks: int = 6) -> None:
    for i in range(files):
        text = HEADER.format(i=i) + "".join(BLOCK.format(i=i, j=j) for j in range(blocks))
        (folder / f"service_{i}.py").write_text(text)


def timed(command: list[str], expected_exit: int, must_say: str) -> float:
    """Wall time of a run, which must have worked: its exit status, and a word in its output (a crash that skips
    every file is fast, and measures nothing)."""
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if run.returncode != expected_exit or must_say not in run.stdout + run.stderr or "Traceback" in run.stderr or \
            "could not be fixed" in run.stderr:
        sys.exit(f"bench: {' '.join(command[:4])}... did not work (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return elapsed


def speed(runs: int, files: int) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_corpus(folder, files)
        lines = sum(p.read_text().count("\n") for p in folder.glob("*.py"))
        fix_cmd = [sys.executable, "-m", "flake8_cio.fixers", "--check", "-q", "--jobs", "2", str(folder)]
        lint_cmd = [sys.executable, "-m", "flake8", "--select", "CIO", "-j", "2", "--exit-zero", str(folder)]
        fix_times, lint_times = [], []
        for _ in range(runs):
            fix_times.append(timed(fix_cmd, 1, f"{files} files scanned, {files} would change"))
            lint_times.append(timed(lint_cmd, 0, "CIO501"))
    return statistics.median(fix_times), statistics.median(lint_times), lines


def fix_rate() -> dict:
    files = [p for pattern in ("examples/**/*.py", "tests/eval_files/**/*.py", "tests/fixes/*.py")
             for p in ROOT.glob(pattern) if not p.name.endswith(".fixed.py")]
    totals = {"files": len(files), "findings": 0, "safe_fixed": 0, "safe_undeclared": 0, "unsafe_fixed": 0, "left": 0}
    for path in files:
        source = path.read_text()
        name = str(path.relative_to(ROOT))
        before = len(check_source(source, name))
        safe = fix_source(source, name, Options())
        # in a project that does not declare flake8-cio as a runtime dependency, runtime-client fixes are unsafe
        undeclared = fix_source(source, name, Options(), runtime_declared=False)
        unsafe = fix_source(source, name, Options(), unsafe=True)
        totals["findings"] += before
        totals["safe_fixed"] += before - len(safe.remaining)
        totals["safe_undeclared"] += before - len(undeclared.remaining)
        totals["unsafe_fixed"] += before - len(unsafe.remaining)
        totals["left"] += len(unsafe.remaining)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--skip-rate", action="store_true")
    args = parser.parse_args()
    fix, lint, lines = speed(args.runs, args.files)
    print(f"(a) {args.files} Customer.io files, {lines} lines: cio-fix --check {fix:.2f} s, "
          f"flake8 --select CIO {lint:.2f} s, ratio {fix / lint:.2f} (target <= 1.5, moonshot 1.1)")
    if args.skip_rate:
        return
    rate = fix_rate()
    print(f"(b) {rate['files']} Customer.io files, {rate['findings']} findings: "
          f"safe fixes resolve {rate['safe_fixed']} "
          f"({rate['safe_fixed'] / rate['findings']:.0%}; {rate['safe_undeclared']} "
          f"({rate['safe_undeclared'] / rate['findings']:.0%}) where flake8-cio is not a declared dependency), "
          f"with --unsafe-fixes {rate['unsafe_fixed']} "
          f"({rate['unsafe_fixed'] / rate['findings']:.0%}); {rate['left']} left (rules without a fix)")


if __name__ == "__main__":
    main()
