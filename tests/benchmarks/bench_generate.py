"""Benchmark of the sample-data generator: wall time and peak memory per scale.

    make bench-generate                      # tiny, demo and large
    make bench-generate SCALES="tiny demo"   # a subset

Each scale runs in a fresh Python process that reports its own peak resident memory (ru_maxrss), so the figures
do not mix. The target for `large` (issue 3): under 15 minutes and under 4 GB on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"large": {"seconds": 15 * 60, "peak_mb": 4096}}


def _child(scale: str, seed: int, landing: Path) -> None:
    from sme_credit_sample import generate_world

    started = time.perf_counter()
    summary = generate_world(
        landing, scale=scale, seed=seed, progress=lambda line: print(line, file=sys.stderr), replace=True
    )
    elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    print(
        json.dumps(
            {
                "scale": scale,
                "firms": summary.firms,
                "files": summary.files,
                "rows": sum(summary.rows.values()),
                "settlement_rows": summary.rows["settlement_transactions"],
                "bytes": size,
                "seconds": round(elapsed, 1),
                "peak_mb": round(peak_kb / 1024),
            }
        )
    )


def _run(scale: str, seed: int, workdir: Path) -> dict:
    landing = workdir / scale / "landing"
    print(f"--- {scale}: generating into {landing} ...", flush=True)
    output = subprocess.run(
        [sys.executable, __file__, "--child", scale, "--seed", str(seed), "--landing", str(landing)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["tiny", "demo", "large"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, help="keep the generated files here (default: a temp dir, removed)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.seed, args.landing)
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-generate-"))
    print(f"Machine: {os.cpu_count()} CPUs; Python {sys.version.split()[0]}; output under {workdir}")
    results = []
    try:
        for scale in args.scales:
            results.append(_run(scale, args.seed, workdir))
            if not args.workdir:
                shutil.rmtree(workdir / scale, ignore_errors=True)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(
        f"{'scale':<6} {'firms':>8} {'files':>6} {'rows':>12} {'settlement rows':>16} {'on disk':>9} "
        f"{'time':>8} {'peak RSS':>9}  target"
    )
    failed = False
    for r in results:
        target = TARGETS.get(r["scale"])
        verdict = ""
        if target:
            ok = r["seconds"] <= target["seconds"] and r["peak_mb"] <= target["peak_mb"]
            failed |= not ok
            verdict = f"{'met' if ok else 'MISSED'} (< {target['seconds'] // 60} min, < {target['peak_mb']} MB)"
        print(
            f"{r['scale']:<6} {r['firms']:>8,} {r['files']:>6,} {r['rows']:>12,} {r['settlement_rows']:>16,} "
            f"{r['bytes'] / 1e9:>7.2f}GB {r['seconds']:>7.1f}s {r['peak_mb']:>6,} MB  {verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
