#!/usr/bin/env bash
# scripts/bench --smoke: one run of the cheapest subset of the benchmark
# (ptvm and QEMU each: one traced and one timed boot, one NVMe run with MSI
# and INTx latency, one DMA map, the 1 GiB BAR rows), written to a
# temporary directory (never bench/results/). The pipeline works end to
# end: the script succeeds and its table has every row, each with numbers.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

tap_plan 4
dir=$(mktemp -d /tmp/ptvm-bench-smoke.XXXXXX)
start=$SECONDS
scripts/bench --smoke -o "$dir" >"$dir/bench.log" 2>&1
rc=$?
tap_check "scripts/bench --smoke: exit 0 (got $rc, in $((SECONDS - start)) s)" [ $rc = 0 ]
res=$(ls "$dir"/*.md 2>/dev/null | head -n 1)
tap_check "it wrote its results file in $dir, not in bench/results" [ -s "$res" ]
# rows of the table: | figure | ptvm | QEMU | ratio |
rows=$(grep -a '^| [a-zA-Z]' "$res" 2>/dev/null | grep -v '^| figure |')
n=$(grep -c . <<<"$rows")
bad=$(awk -F' [|] ' '$2 !~ /^[0-9]/ || ($3 !~ /^[0-9]/ && $3 != "-") || ($3 != "-" && $4 !~ /^[0-9]/)' <<<"$rows")
# every row of scripts/bench but those --smoke skips (4 GiB, hugepages,
# exits to init, PVH, the large-guest rows)
all=$(sed -n "/^rows='/,/'\$/p" scripts/bench | grep -c '|')
skip=$(sed -n 's/^smoke_skip="\(.*\)"$/\1/p' scripts/bench | wc -w)
tap_check "the table has all $((all - skip)) smoke rows ($all less $skip; got $n)" [ "$n" = $((all - skip)) ]
tap_check "every row has numbers for ptvm, and for QEMU with a ratio (or '-' where QEMU has no such counter)" [ -z "$bad" ]
[ -n "$bad" ] && echo "$bad" | tap_diag
grep -a '^|' "$res" 2>/dev/null | tap_diag
[ $rc = 0 ] || tail -n 30 "$dir/bench.log" | tap_diag
rm -rf "$dir"
