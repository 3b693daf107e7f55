#!/usr/bin/env python3
"""Time the Python `reqif` parser (StrictDoc's, the peer) against avtrace-reqif's importer on
the same synthetic file: the one `benches/reqif.rs` measures (100,000 requirements by
default), written by

    cargo run -p avtrace-reqif --release --example reqif_synth -- FILE N

Usage (from the workspace root, with the test venv that has `pip install reqif`):

    .venv-test/bin/python bench/reqif/peer.py [FILE] [--requirements N] [--runs R] [--python-runs P]

The file is generated when missing. avtrace-reqif is timed with the `reqif_import_time`
example (release build), the peer with `ReqIFParser.parse`; medians are printed in seconds
and MB/s with the speed-up. The Python parser is slow and superlinear on large files
(10,000 requirements: about 40 s; 100,000: well over 15 minutes), so `--requirements 10000`
gives a quick comparison.
"""
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def option(args, name, default):
    if name in args:
        i = args.index(name)
        value = int(args[i + 1])
        del args[i : i + 2]
        return value
    return default


def cargo_example(name, *args):
    cmd = ["cargo", "run", "-q", "-p", "avtrace-reqif", "--release", "--example", name, "--", *args]
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def main():
    args = sys.argv[1:]
    n = option(args, "--requirements", 100_000)
    runs = option(args, "--runs", 5)
    python_runs = option(args, "--python-runs", 1)
    path = os.path.abspath(args[0]) if args else os.path.join(ROOT, "target", "reqif-bench", f"synthetic-{n}.reqif")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        print(cargo_example("reqif_synth", path, str(n)).strip())
    size = os.path.getsize(path)
    print(f"file: {path} ({size / 1e6:.1f} MB)")

    out = cargo_example("reqif_import_time", path, str(runs))
    print(out.strip())
    rust = float(re.search(r"median: ([0-9.]+) s", out).group(1))

    from reqif.parser import ReqIFParser  # imported late: generating the file does not need it

    times = []
    for run in range(python_runs):
        start = time.perf_counter()
        bundle = ReqIFParser.parse(path)
        elapsed = time.perf_counter() - start
        content = bundle.core_content.req_if_content
        times.append(elapsed)
        print(f"python run {run + 1}: {elapsed:.2f} s, {size / elapsed / 1e6:.2f} MB/s "
              f"({len(content.spec_objects or [])} spec objects, {len(content.spec_relations or [])} relations)",
              flush=True)
        del bundle, content
    python = statistics.median(times)
    print(f"median: avtrace-reqif {rust:.3} s ({size / rust / 1e6:.1f} MB/s), "
          f"python reqif {python:.2f} s ({size / python / 1e6:.2f} MB/s): {python / rust:.0f}x faster")


if __name__ == "__main__":
    main()
