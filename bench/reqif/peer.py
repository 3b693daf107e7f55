#!/usr/bin/env python3
"""Time the Python `reqif` parser (StrictDoc's, the peer) on the synthetic benchmark file.

The file is the one `benches/reqif.rs` measures: 100,000 synthetic requirements written by
avtrace-reqif. It is generated on first use with

    cargo run -p avtrace-reqif --release --example reqif_synth -- FILE 100000

Usage (from the workspace root, with the test venv):

    .venv-test/bin/python bench/reqif/peer.py [FILE] [--runs N]

Prints each run and the median, in seconds and MB/s, so it reads beside divan's output of
`cargo bench -p avtrace-reqif --bench reqif`.
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT = os.path.join(ROOT, "target", "reqif-bench", "synthetic-100k.reqif")


def ensure_file(path):
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    cmd = ["cargo", "run", "-q", "-p", "avtrace-reqif", "--release", "--example", "reqif_synth", "--", path, "100000"]
    print("generating:", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def main():
    args = [a for a in sys.argv[1:]]
    runs = 3
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i : i + 2]
    path = os.path.abspath(args[0]) if args else DEFAULT
    ensure_file(path)
    from reqif.parser import ReqIFParser  # imported late: generation does not need it

    size = os.path.getsize(path)
    print(f"file: {path} ({size / 1e6:.1f} MB)")
    times = []
    for run in range(runs):
        start = time.perf_counter()
        bundle = ReqIFParser.parse(path)
        elapsed = time.perf_counter() - start
        content = bundle.core_content.req_if_content
        objects = len(content.spec_objects or [])
        relations = len(content.spec_relations or [])
        times.append(elapsed)
        print(f"run {run + 1}: {elapsed:.2f} s, {size / elapsed / 1e6:.1f} MB/s "
              f"({objects} spec objects, {relations} relations)", flush=True)
        del bundle, content
    median = statistics.median(times)
    print(f"median: {median:.2f} s, {size / median / 1e6:.1f} MB/s (python reqif, {runs} runs)")


if __name__ == "__main__":
    main()
