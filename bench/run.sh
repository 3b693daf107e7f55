#!/usr/bin/env bash
# End-to-end speed and peak memory of `avtrace trace` on synthetic worlds: a 10,000-clause
# catalog in 6 markets and N requirements. Prints the median wall time of 5 runs and the peak
# RSS, beside `avtrace check` on the same input (loading and validation alone: the baseline),
# for the program in one file and split over 100 files with 10 attributes per requirement.
#
#   bench/run.sh [N ...]        default: 10000 100000
#
# The trace engine alone is measured by `cargo bench -p avtrace-bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
cargo build --release -q -p avtrace-cli -p avtrace-bench
bin=target/release/avtrace
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

printf '%-12s %-20s %-26s %10s %12s\n' requirements program command 'median s' 'peak MiB'
for n in "${sizes[@]}"; do
    for layout in one split; do
        dir="$work/w$n-$layout"
        if [ "$layout" = one ]; then
            target/release/avtrace-synth "$dir" "$n" 10000 6
            label_program="1 file"
        else
            target/release/avtrace-synth "$dir" "$n" 10000 6 --files 100 --attrs 10
            label_program="100 files, 10 attrs"
        fi
        for cmd in check trace; do
            if [ "$cmd" = check ]; then
                args=(--standards "$dir/catalog" check --program "$dir/program.toml")
                label="check (load, validate)"
            else
                args=(--standards "$dir/catalog" trace --program "$dir/program.toml" --format json)
                label="trace (load, trace, JSON)"
            fi
            read -r t kib < <(measure "$bin" "${args[@]}")
            printf '%-12s %-20s %-26s %10s %12.1f\n' "$n" "$label_program" "$label" "$t" "$(echo "$kib / 1024" | bc -l)"
        done
        rm -rf "$dir"
    done
done
