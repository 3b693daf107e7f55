#!/usr/bin/env bash
# End-to-end speed and peak memory of the `avtrace` binary on synthetic worlds: a
# 10,000-clause catalog in 6 markets and N requirements, written two ways:
#   - one file, one-line strings;
#   - 100 files, 10 attributes per requirement, text as two-line """-strings (real shape).
# For each: `check` (load and validate), `trace --format json` and, for the real shape,
# `report` (HTML) and `matrix --format json`. Then a 1,000,000-clause catalog with a tenth
# of the largest N requirements. Prints the median wall time of 5 runs, the peak RSS, and
# the ratio to two floors, each the median time of its own 5 runs in the same run (so the
# machine's load is in all of them), every file read from the page cache:
#   - the scan floor: `wc -l` over every catalog and program file (each byte read and
#     scanned once, nothing kept);
#   - the load floor: `avtrace-readfloor`, every file read into memory and kept (as a loader
#     holds the text it parses), checked as UTF-8 and its lines counted, on every core.
#
#   bench/run.sh [N ...]        default: 10000 100000
#
# The trace engine and the loader alone are measured by `cargo bench -p avtrace-bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
cargo build --release -q -p avtrace-cli -p avtrace-bench
bin=target/release/avtrace
synth=target/release/avtrace-synth
readfloor=target/release/avtrace-readfloor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # prints "median_seconds peak_kib" over 5 runs of "$@"
    local times=() peak=0
    for _ in 1 2 3 4 5; do
        /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
        read -r t m <"$work/time"
        times+=("$t")
        [ "$m" -gt "$peak" ] && peak=$m
    done
    printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)" "$peak"
}

# The two floors of a world: "scan load" in seconds.
floor() {
    local dir=$1
    find "$dir" -name '*.toml' -print0 | xargs -0 cat >/dev/null # warm the page cache
    read -r scan _ < <(measure sh -c "find '$dir' -name '*.toml' -print0 | xargs -0 wc -l")
    read -r load _ < <(measure "$readfloor" "$dir")
    echo "$scan $load"
}

row() { # requirements, program label, command label, "scan load" floors, args...
    local n=$1 program=$2 label=$3 scan load
    read -r scan load <<<"$4"
    shift 4
    read -r t kib < <(measure "$bin" "$@")
    printf '%-12s %-32s %-22s %9s %10.1f %9.1f %9.1f\n' "$n" "$program" "$label" "$t" "$(echo "$kib / 1024" | bc -l)" \
        "$(echo "$t / ($scan + 0.001)" | bc -l)" "$(echo "$t / ($load + 0.001)" | bc -l)"
}

floor_rows() { # requirements, program label, "scan load" floors
    local scan load
    read -r scan load <<<"$3"
    printf '%-12s %-32s %-22s %9s %10s %9s %9s\n' "$1" "$2" "scan floor (wc -l)" "$scan" - 1.0 -
    printf '%-12s %-32s %-22s %9s %10s %9s %9s\n' "$1" "$2" "load floor (read, keep)" "$load" - - 1.0
}

printf 'machine: %s cores, load average %s\n' "$(nproc)" "$(uptime | sed 's/.*load average: //')"
printf '%-12s %-32s %-22s %9s %10s %9s %9s\n' requirements program command 'median s' 'peak MiB' '× scan' '× load'
for n in "${sizes[@]}"; do
    for layout in one real; do
        dir="$work/w$n-$layout"
        if [ "$layout" = one ]; then
            "$synth" "$dir" "$n" 10000 6
            label="1 file, one-line"
        else
            "$synth" "$dir" "$n" 10000 6 --files 100 --attrs 10 --multiline
            label="100 files, 10 attrs, multi-line"
        fi
        base=$(floor "$dir")
        floor_rows "$n" "$label" "$base"
        common=(--standards "$dir/catalog")
        row "$n" "$label" "check" "$base" "${common[@]}" check --program "$dir/program.toml"
        row "$n" "$label" "trace --format json" "$base" "${common[@]}" trace --program "$dir/program.toml" --format json
        if [ "$layout" = real ]; then
            row "$n" "$label" "report (HTML)" "$base" "${common[@]}" report --program "$dir/program.toml" -o "$work/report.html"
            row "$n" "$label" "matrix --format json" "$base" "${common[@]}" matrix --program "$dir/program.toml" --format json
        fi
        rm -rf "$dir"
    done
done
# A large catalog, once: 1,000,000 clauses (4,000 instruments) with a tenth as many
# requirements as the largest size.
n=$(( ${sizes[-1]} / 10 ))
dir="$work/w-catalog"
"$synth" "$dir" "$n" 1000000 6
base=$(floor "$dir")
label="1M-clause catalog"
floor_rows "$n" "$label" "$base"
row "$n" "$label" "check" "$base" --standards "$dir/catalog" check --program "$dir/program.toml"
row "$n" "$label" "trace --format json" "$base" --standards "$dir/catalog" trace --program "$dir/program.toml" --format json
