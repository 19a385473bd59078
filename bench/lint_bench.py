"""Cost of the flake8-cio checker on a large real corpus: this interpreter's standard library.

(a) checker time over already-parsed trees / ``ast.parse`` time of the same files (target <= 0.15);
(b) whole ``flake8`` run with the plugin installed / without it (target <= 1.05), each in its own venv.
Medians of --runs runs, baseline measured in the same run. Usage: python bench/lint_bench.py [--runs 5] [--skip-flake8]
"""
from __future__ import annotations

import argparse
import ast
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
        start = time.perf_counter()
        findings = sum(len(check_tree(tree, ls, str(path), options)) for tree, ls, (path, _) in zip(trees, lines, files))
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
    stdlib = sysconfig.get_paths()["stdlib"]
    with tempfile.TemporaryDirectory() as tmp:
        pythons = {name: make_venv(Path(tmp) / name, name == "with") for name in ("without", "with")}
        times = {name: [] for name in pythons}
        for _ in range(runs):
            for name, python in pythons.items():  # interleaved, so drift hits both alike
                start = time.perf_counter()
                subprocess.run([python, "-m", "flake8", "-j", "2", "--exclude", "site-packages,test/bad*,lib2to3/tests/data",
                                "--exit-zero", "-q", stdlib], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
    without, with_ = statistics.median(times["without"]), statistics.median(times["with"])
    return {"without_s": without, "with_s": with_, "ratio": with_ / without}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-flake8", action="store_true")
    args = parser.parse_args()
    files = corpus()
    a = checker_ratio(files, args.runs)
    print(f"(a) {a['files']} files, {a['lines']} lines: ast.parse {a['parse_s']:.3f} s, checker {a['check_s']:.3f} s, "
          f"ratio {a['ratio']:.3f} (target <= 0.15), findings {a['findings']}")
    if not args.skip_flake8:
        b = flake8_ratio(args.runs)
        print(f"(b) flake8 -j2 over the stdlib: without plugin {b['without_s']:.2f} s, with {b['with_s']:.2f} s, "
              f"ratio {b['ratio']:.3f} (target <= 1.05)")


if __name__ == "__main__":
    main()
