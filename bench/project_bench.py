"""Cost of the project model on an application: whole ``flake8 -j2`` with the plugin / without it.

The corpus is a generated application of --modules modules in packages (models, helpers, views, tasks), where a
tenth of the modules use Customer.io only through the project's own wrappers (a service class and module
functions in ``app/crm/``), so the prefilter cannot skip them and the project model must read the wrappers.
Runs: without the plugin; with it and a cold cache (a fresh cache folder per run); with a warm cache and nothing
changed since the last run (the findings are read back); with a warm cache after one module was edited (every
file is checked again, from the cached summaries). Targets: cold <= 1.10, warm <= 1.03. Medians of --runs runs,
interleaved. Then a pre-commit run: ``flake8`` on five files (two views, three models) edited just before, warm,
with / without the plugin; target at most +0.1 s.
Usage: python bench/project_bench.py [--runs 5] [--modules 2000]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lint_bench import make_venv  # noqa: E402

CRM = '''"""The application's Customer.io layer."""
import os
from functools import lru_cache

from customerio import CustomerIO

cio = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])


def track_signup(user):
    cio.identify(user.id, email=user.email)
    cio.track(user.id, "signed_up")


class Notifier:
    def __init__(self):
        self.client = CustomerIO(os.environ["CIO_SITE_ID"], os.environ["CIO_API_KEY"])

    def order_paid(self, order):
        self.client.track(order.user_id, "order_paid", {"total": order.total})


@lru_cache
def client():
    return cio
'''
MODEL = '''"""Models of package {p}, module {m}."""
from dataclasses import dataclass, field

from app.pkg{p}.helpers{h} import normalise


@dataclass
class Record{m}:
    id: int
    name: str
    tags: list = field(default_factory=list)

    def label(self) -> str:
        return normalise(self.name) + "".join(sorted(self.tags))


def load_all(rows):
    return [Record{m}(i, str(row)) for i, row in enumerate(rows)]
'''
HELPERS = '''"""Helpers of package {p}."""
import re
from collections import Counter

WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def top_words(texts, n=10):
    return Counter(w for t in texts for w in WORD.findall(t)).most_common(n)
'''
VIEW = '''"""Views of package {p}, module {m}: uses Customer.io only through app.crm."""
from flask import Blueprint

from app.crm import Notifier, track_signup
from app.pkg{p}.model{m} import load_all

bp = Blueprint("v{p}_{m}", __name__)


@bp.post("/signup/{p}/{m}")
def signup(user):
    track_signup(user)
    return "ok"


@bp.post("/paid/{p}/{m}")
def paid(order):
    Notifier().order_paid(order)
    return str(len(load_all([order])))
'''


def generate(root: Path, modules: int) -> None:
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "app"\ndependencies = ["customerio>=3"]\n')
    app = root / "app"
    (app / "crm").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "crm" / "__init__.py").write_text(CRM)
    per_package = 50
    for index in range(modules):
        package, module = divmod(index, per_package)
        folder = app / f"pkg{package}"
        if module == 0:
            folder.mkdir()
            (folder / "__init__.py").write_text("")
            for h in range(2):
                (folder / f"helpers{h}.py").write_text(HELPERS.format(p=package))
        template = VIEW if index % 10 == 0 else MODEL
        name = "view" if template is VIEW else "model"
        (folder / f"{name}{module}.py").write_text(template.format(p=package, m=module, h=module % 2))
        if template is VIEW:  # the view imports the model of its own number
            (folder / f"model{module}.py").write_text(MODEL.format(p=package, m=module, h=module % 2))


PRE_COMMIT_FILES = ["app/pkg0/view0.py", "app/pkg1/view10.py", "app/pkg0/model1.py", "app/pkg2/model7.py",
                    "app/pkg3/model33.py"]


RUNS = {"without": "without", "cold": "cold cache", "warm": "warm cache, nothing changed",
        "edited": "warm cache, one module edited"}
EDITED_FILE = "app/pkg1/model3.py"


def edit(paths: list[str], root: Path, number: int) -> None:
    """Change the files as a developer would (a comment line), so their text, size and mtime are new."""
    for path in paths:
        with open(root / path, "a", encoding="utf-8") as stream:
            stream.write(f"# edit {number} at {time.time_ns()}\n")


def run(python: Path, root: Path, cache: str, paths: list[str] | None = None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of flake8 and its workers, CIO findings). CPU time is what the plugin adds
    whatever else the machine runs; wall time is what a user waits, and on a shared machine it is noisy."""
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    start, before = time.perf_counter(), _children_cpu()
    result = subprocess.run([python, "-m", "flake8", "-j", "2", "--exit-zero", *(paths or ["."])], cwd=root,
                            env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, _children_cpu() - before
    if result.returncode != 0 or result.stderr:
        raise SystemExit(f"flake8 failed: {result.stderr[-2000:]}")
    return elapsed, cpu, result.stdout.count(" CIO")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--modules", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        generate(tmp / "corpus", args.modules)
        without, with_plugin = make_venv(tmp / "without", False), make_venv(tmp / "with", True)
        warm = str(tmp / "warm-cache")
        run(with_plugin, tmp / "corpus", warm)  # fills the warm cache
        corpus = tmp / "corpus"
        times: dict[str, list[float]] = {name: [] for name in RUNS}
        cpu: dict[str, list[float]] = {name: [] for name in RUNS}
        findings = {}
        for number in range(args.runs):  # interleaved, in a rotating order, so drift and order hit all alike
            jobs = {
                "without": lambda: run(without, corpus, str(tmp / "none")),
                "cold": lambda: run(with_plugin, corpus, str(tmp / f"cold-{number}")),
                "edited": lambda: edit([EDITED_FILE], corpus, number) or run(with_plugin, corpus, warm),
                "warm": lambda: run(with_plugin, corpus, warm),  # always right after "edited": nothing changed since
            }
            order = [["without"], ["cold"], ["edited", "warm"]]
            for name in sum(order[number % 3:] + order[: number % 3], []):
                elapsed, seconds, findings[name] = jobs[name]()
                times[name].append(elapsed)
                cpu[name].append(seconds)
        few = {"without": [], "warm": []}
        for number in range(args.runs):  # pre-commit: five files just edited, the rest of the project read as needed
            for name in ("without", "warm")[number % 2:] + ("without", "warm")[: number % 2]:
                python, cache = (without, str(tmp / "none")) if name == "without" else (with_plugin, warm)
                edit(PRE_COMMIT_FILES, corpus, number)
                few[name].append(run(python, corpus, cache, PRE_COMMIT_FILES)[0])
    base, base_cpu = statistics.median(times["without"]), statistics.median(cpu["without"])
    print(f"{args.modules} modules, flake8 -j2, medians of {args.runs}: without plugin {base:.2f} s "
          f"(CPU {base_cpu:.2f} s)")
    for name, target in (("cold", 1.10), ("warm", 1.03), ("edited", None)):
        median, median_cpu = statistics.median(times[name]), statistics.median(cpu[name])
        aim = f"target <= {target}" if target else "no target"
        print(f"  with plugin, {RUNS[name]}: {median:.2f} s, ratio {median / base:.3f} ({aim}); "
              f"CPU {median_cpu:.2f} s, ratio {median_cpu / base_cpu:.3f}; CIO findings {findings[name]}")
    alone, plugin = statistics.median(few["without"]), statistics.median(few["warm"])
    print(f"  pre-commit, five files: without {alone:.3f} s, with (warm) {plugin:.3f} s, "
          f"+{plugin - alone:.3f} s (target <= +0.1)")


if __name__ == "__main__":
    main()
