"""Cost of the flake8-cio checker on a large real corpus: this interpreter's standard library.

(a) checker time over already-parsed trees / ``ast.parse`` time of the same files (target <= 0.05), project
    model on (each file checked in place, as flake8 does);
(b) whole ``flake8`` run with the plugin installed / without it, cold and warm summary cache (target <= 1.05),
    each in its own venv.
Medians of --runs runs, baseline measured in the same run. Usage: python bench/lint_bench.py [--runs 5] [--skip-flake8]
"""
from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from flake8_cio.engine import check_tree  # noqa: E402
from flake8_cio.options import Options  # noqa: E402
from flake8_cio.project import forget_projects  # noqa: E402


def corpus() -> list[tuple[Path, str]]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(stdlib.rglob("*.py")):
        if "site-packages" in path.parts:
            continue
        try:
            source = path.read_text("utf-8")
            compile(source, str(path), "exec", ast.PyCF_ONLY_AST)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        files.append((path, source))
    return files


def checker_ratio(files, runs: int) -> dict:
    options = Options()
    parse_times, check_times, findings = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        trees = [ast.parse(source) for _, source in files]
        parse_times.append(time.perf_counter() - start)
        lines = [source.splitlines(keepends=True) for _, source in files]
        forget_projects()  # each pass pays for reading the project, as a new flake8 process does
        start = time.perf_counter()
        findings = sum(len(check_tree(tree, ls, str(path), options))
                       for tree, ls, (path, _) in zip(trees, lines, files))
        check_times.append(time.perf_counter() - start)
    parse, check = statistics.median(parse_times), statistics.median(check_times)
    return {"files": len(files), "lines": sum(s.count("\n") for _, s in files), "parse_s": parse,
            "check_s": check, "ratio": check / parse, "findings": findings}


def make_venv(path: Path, with_plugin: bool) -> Path:
    venv.create(path, with_pip=True)
    python = path / "bin" / "python"
    packages = ["flake8"] + ([str(ROOT)] if with_plugin else [])
    subprocess.run([python, "-m", "pip", "install", "-q", *packages], check=True)
    return python


def flake8_ratio(runs: int) -> dict:
    """Without the plugin; with it and a cold summary cache (a fresh folder per run); with a warm one."""
    stdlib = sysconfig.get_paths()["stdlib"]
    with tempfile.TemporaryDirectory() as tmp:
        pythons = {name: make_venv(Path(tmp) / name, name == "with") for name in ("without", "with")}
        command = ["-m", "flake8", "-j", "2", "--exclude", "site-packages,test/bad*,lib2to3/tests/data", "--exit-zero",
                   "-q", stdlib]
        runs_of = {"without": (pythons["without"], lambda n: "none"), "cold": (pythons["with"], lambda n: f"cold{n}"),
                   "warm": (pythons["with"], lambda n: "warm")}
        times: dict[str, list[float]] = {name: [] for name in runs_of}
        for number in range(runs):  # interleaved in a rotating order, so drift hits all alike
            names = list(runs_of)
            for name in names[number % 3:] + names[: number % 3]:
                python, cache = runs_of[name]
                env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / cache(number))}
                start = time.perf_counter()
                subprocess.run([python, *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {**medians, "cold_ratio": medians["cold"] / medians["without"],
            "warm_ratio": medians["warm"] / medians["without"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-flake8", action="store_true")
    args = parser.parse_args()
    files = corpus()
    a = checker_ratio(files, args.runs)
    print(f"(a) {a['files']} files, {a['lines']} lines: ast.parse {a['parse_s']:.3f} s, checker {a['check_s']:.3f} s, "
          f"ratio {a['ratio']:.3f} (target <= 0.05), findings {a['findings']}")
    if not args.skip_flake8:
        b = flake8_ratio(args.runs)
        print(f"(b) flake8 -j2 over the stdlib: without plugin {b['without']:.2f} s; with it, cold cache "
              f"{b['cold']:.2f} s (ratio {b['cold_ratio']:.3f}), warm {b['warm']:.2f} s (ratio {b['warm_ratio']:.3f}); "
              "target <= 1.05")


if __name__ == "__main__":
    main()
