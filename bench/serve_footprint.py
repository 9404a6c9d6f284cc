"""Idle RSS of `ayo serve` and start → /readyz, this tree against a baseline commit.

    .venv/bin/python bench/serve_footprint.py [--baseline main] [--runs 5] [--idle 3]

The baseline is exported with `git archive REF` (as bench/cli_startup.py does) and served by
the same interpreter. Each tree gets its own SQLite database, data folder and router cache; a
first, unmeasured start fills them (migrations, the demo organisation, the fitted router), so
the measured starts are warm restarts; both trees are byte-compiled first, as an installed Ayo
is (scripts/start compiles the sources too). The trees then start in turns, `--runs` times each:
seconds from spawning the process to the first 200 of /readyz, then the process's RSS after
`--idle` seconds without requests (VmRSS; VmHWM is the peak during start). Medians, with the
range, and the baseline/this-tree ratio; also the CPU seconds the process had used when
/readyz first answered (user + system, from /proc), which a busy machine inflates far less.
It also measures what importing the numeric libraries alone costs a fresh interpreter.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cli_startup import ROOT, export
from tests.support.server import serve_process

PACKAGES = ("bot", "core", "integrations", "intents", "lessons", "scheduler")
IMPORTS = {
    "python": "pass",
    "numpy": "import numpy",
    "numpy + scipy.sparse": "import numpy, scipy.sparse",
    "sklearn.svm + TfidfVectorizer": (
        "import sklearn.svm, sklearn.feature_extraction.text, sklearn.model_selection"
    ),
}


def status_mb(pid: int | str, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise LookupError(field)


def import_cost(code: str, runs: int) -> dict[str, float]:
    """Median wall seconds and RSS (MB) of a fresh interpreter that runs `code`."""
    probe = f"{code}\nprint(open('/proc/self/status').read())"
    walls, rss = [], []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        )
        walls.append(time.perf_counter() - started)
        line = next(x for x in done.stdout.splitlines() if x.startswith("VmRSS:"))
        rss.append(int(line.split()[1]) / 1024)
    return {
        "wall_s": round(statistics.median(walls), 3),
        "rss_mb": round(statistics.median(rss), 1),
    }


def tree_env(tree: Path, folder: Path) -> dict[str, str]:
    return dict(os.environ) | {
        "PYTHONPATH": str(tree),
        "AYO_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'ayo.db'}",
        "AYO_DATA_DIR": str(folder),
        "AYO_CACHE_DIR": str(folder / "cache"),
        "AYO_DEMO": "1",
        "AYO_LOG_LEVEL": "WARNING",
        "PTB_TIMEDELTA": "true",
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (less swayed by a busy machine than wall)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(tree: Path, env: dict[str, str], idle: float, log: Path) -> dict[str, float]:
    with serve_process(env, output=log, cwd=tree, ready="/readyz", timeout=600, poll=0.02) as ayo:
        cpu = cpu_seconds(ayo.pid)
        time.sleep(idle)
        return {
            "start_to_readyz_s": ayo.started_in,
            "cpu_to_readyz_s": cpu,
            "idle_rss_mb": status_mb(ayo.pid, "VmRSS"),
            "peak_rss_mb": status_mb(ayo.pid, "VmHWM"),
        }


def summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in samples[0]:
        values = [s[key] for s in samples]
        out[key] = {
            "median": round(statistics.median(values), 3 if key.endswith("_s") else 1),
            "range": [round(min(values), 3), round(max(values), 3)],
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git ref to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds idle before the RSS")
    args = parser.parse_args()
    result: dict[str, Any] = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="ayo-footprint-") as scratch:
        base = Path(scratch)
        trees = {"baseline": export(args.baseline, base), "this tree": ROOT}
        envs: dict[str, dict[str, str]] = {}
        first: dict[str, float] = {}
        for name, tree in trees.items():
            # As an installed Ayo has (and scripts/start makes): bytecode, so a start does not
            # compile the sources again where PYTHONDONTWRITEBYTECODE is set.
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", *(str(tree / p) for p in PACKAGES)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            folder = base / name.replace(" ", "-")
            folder.mkdir()
            envs[name] = tree_env(tree, folder)
            # Cold: migrations, the demo organisation and training the router; not measured.
            first[name] = one_start(tree, envs[name], 0, folder / "first.log")["start_to_readyz_s"]
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():
                log = base / f"{name.replace(' ', '-')}.log"
                samples[name].append(one_start(tree, envs[name], args.idle, log))
    for name in trees:
        ref = args.baseline if name == "baseline" else "working tree"
        result[name] = {"ref": ref, "cold_first_start_s": round(first[name], 2)}
        result[name] |= summary(samples[name])
    for key in ("start_to_readyz_s", "cpu_to_readyz_s", "idle_rss_mb"):
        ours = result["this tree"][key]["median"]
        result[f"ratio baseline/this tree {key}"] = round(
            result["baseline"][key]["median"] / ours, 2
        )
    result["imports alone"] = {
        name: import_cost(code, args.runs) for name, code in IMPORTS.items()
    }
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
