#!/usr/bin/env bash
# Every command on the shipped example with the built-in catalog, start to finish, as a user
# runs it: the median of hyperfine's runs (and the user and system CPU), beside an older
# build's binary when one is given, measured in the same run so that the machine's load is in
# both. The goal is under 20 ms for every command.
#
#   bench/example.sh [BASELINE_BINARY] [RUNS]      default RUNS: 30
#
# Outputs go to a temporary folder on the same file system as the repository's target/, and
# each command replaces its own output file, as a user re-running it does.
set -euo pipefail
cd "$(dirname "$0")/.."
baseline=${1:-}
runs=${2:-30}
command -v hyperfine >/dev/null || { echo "bench/example.sh needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --release -q -p avtrace-cli
bin=target/release/avtrace
work=$(mktemp -d -p target)
trap 'rm -rf "$work"' EXIT
ex=examples/l3-highway-pilot/program.toml

commands=(
    "check -q --program $ex"
    "trace --program $ex"
    "gaps --program $ex"
    "trace --program $ex --format json"
    "matrix --program $ex --format json"
    "matrix --program $ex --format csv -o $work/matrix.csv"
    "matrix --program $ex --format html -o $work/matrix.html"
    "matrix --program $ex --format xlsx -o $work/matrix.xlsx"
    "report --program $ex -o $work/report.html"
    "export reqif --program $ex -o $work/export.reqif"
    "dossier --program $ex --market EU -o $work/dossier"
    "graph --format dot"
    "standards"
    "markets"
)

median() { # hyperfine JSON -> "median_ms user_ms system_ms"
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%.1f %.1f %.1f" % (r["median"]*1e3, r["user"]*1e3, r["system"]*1e3))' "$1"
}

printf 'machine: %s cores, load average %s\n' "$(nproc)" "$(uptime | sed 's/.*load average: //')"
if [ -n "$baseline" ]; then
    printf '%-50s %10s %10s %10s   %s\n' command 'median ms' 'user ms' 'sys ms' 'baseline median ms'
else
    printf '%-50s %10s %10s %10s\n' command 'median ms' 'user ms' 'sys ms'
fi
over=0
for c in "${commands[@]}"; do
    # shellcheck disable=SC2086 # the command line is split into words on purpose
    hyperfine -N -w 3 -r "$runs" --export-json "$work/now.json" "$bin $c" >/dev/null 2>&1 || {
        echo "failed: avtrace $c" >&2
        exit 1
    }
    read -r m u s < <(median "$work/now.json")
    label=${c//$work\//}
    label=${label//$ex/EX}
    if [ -n "$baseline" ]; then
        hyperfine -N -w 3 -r "$runs" --export-json "$work/then.json" "$baseline $c" >/dev/null 2>&1 || true
        read -r bm _ _ < <(median "$work/then.json" 2>/dev/null || echo "- - -")
        printf '%-50s %10s %10s %10s   %s\n' "$label" "$m" "$u" "$s" "$bm"
    else
        printf '%-50s %10s %10s %10s\n' "$label" "$m" "$u" "$s"
    fi
    if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) >= 20 else 1)' "$m"; then
        over=$((over + 1))
    fi
done
echo "EX = $ex; $over command(s) at or over 20 ms"
