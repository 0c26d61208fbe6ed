#!/bin/sh
# Times wisp's commands on the dense floor (issue 16) as separate processes, each under
# /usr/bin/time for wall time, user CPU (on a shared machine the CPU is what the load does not
# inflate) and peak resident memory, and prints one line per command with the
# load average beside it. Make the floor first:
#
#   cargo build --release --examples --bins
#   target/release/examples/dense_floor /tmp/dense       # site folder + in-process layer figures
#   sh benches/compare/dense_floor.sh /tmp/dense [WISP]   # WISP defaults to target/release/wisp
set -eu
dir=${1:?usage: dense_floor.sh DIR [WISP]}
wisp=${2:-target/release/wisp}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
    name=$1
    shift
    # Exit codes 1 and 3 are verdicts (a zone fails, not enough data), not errors.
    /usr/bin/time -f '%e %U %M' -o "$out/time" "$wisp" "$@" >"$out/stdout" 2>"$out/stderr" || {
        code=$?
        if [ "$code" -ne 1 ] && [ "$code" -ne 3 ]; then
            echo "$name: exit $code" >&2
            cat "$out/stderr" >&2
            exit "$code"
        fi
    }
    load=$(cut -d' ' -f1 /proc/loadavg)
    # The last line: time writes "Command exited with non-zero status N" first when it did.
    tail -n 1 "$out/time" | awk -v n="$name" -v l="$load" '{ printf "%-34s %7.2f s wall  %7.2f s user  %6.0f MB peak RSS  (load %s)\n", n, $1, $2, $3 / 1024, l }'
}
run "check" check "$dir/site.toml" --quiet
run "calibrate" calibrate "$dir/site.toml"
run "plan" plan "$dir/site.toml" --out "$out/plan.json"
run "heatmap --metric predicted-after" heatmap "$dir/site.toml" --floor L1 --metric predicted-after --plan "$out/plan.json" --out "$out/after.png"
run "report --plan" report "$dir/site.toml" --quiet --plan "$out/plan.json" --out "$out/report.pdf"
# Last: minutes, not seconds (issue 16: kriging every radio on every fold).
run "validate" validate "$dir/site.toml"
