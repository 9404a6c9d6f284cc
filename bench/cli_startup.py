"""`ayo --help` and `import bot.cli`: wall and CPU time, this tree against a baseline commit.

    .venv/bin/python bench/cli_startup.py [--baseline REF] [--runs N]

The baseline is exported with `git archive REF` into a temporary folder (no worktree, no
checkout) and run with the same interpreter, one after the other, in the same run. It also
times one chat turn ("menu") through the engine on a fresh SQLite demo database. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=ROOT, capture_output=True, check=True
    ).stdout
    tar = into / "tree.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(into / "tree", filter=_tree_files)
    return into / "tree"


def _tree_files(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    # A symlink out of the tree (a worktree's `.venv`) is not part of the code: skip it.
    if member.issym() and member.linkname.startswith("/"):
        return None
    return tarfile.data_filter(member, dest)


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(cwd), COLUMNS="80")
    subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(tree: Path, runs: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name, args in (
        ("import bot.cli", [sys.executable, "-c", "import bot.cli"]),
        ("ayo --help", [sys.executable, "-m", "bot.cli", "--help"]),
    ):
        samples = [timed(args, tree) for _ in range(runs)]
        out[name] = {
            "wall_median_s": round(statistics.median(s[0] for s in samples), 3),
            "cpu_median_s": round(statistics.median(s[1] for s in samples), 3),
        }
    return out


async def chat_turn(turns: int) -> dict[str, float]:
    """Median wall time of one "menu" turn (receive, process, collect) on SQLite."""
    from bot.app import build_app
    from bot.demo import users
    from core.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db",
            data_dir=Path(folder),
            demo=True,
        )
        ayo = await build_app(settings, prepare=True)
        try:
            nip = (await users(ayo.db))[0]["nip"]
            await ayo.local.say(nip, text="halo")
            await ayo.local.collect(nip)
            samples = []
            for _ in range(turns):
                started = time.perf_counter()
                await ayo.local.say(nip, text="menu")
                await ayo.local.collect(nip)
                samples.append(time.perf_counter() - started)
        finally:
            await ayo.close()
    return {"turns": turns, "median_ms": round(statistics.median(samples) * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline", default="main", help="git ref to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline_tree = export(args.baseline, Path(folder))
        result = {
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "baseline": {"ref": args.baseline, **measure(baseline_tree, args.runs)},
            "this tree": measure(ROOT, args.runs),
        }
    for name in ("import bot.cli", "ayo --help"):
        base, ours = result["baseline"][name], result["this tree"][name]
        result[f"cpu ratio {name}"] = round(base["cpu_median_s"] / ours["cpu_median_s"], 1)
    result["chat turn"] = asyncio.run(chat_turn(args.turns))
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
