#!/usr/bin/env bash
# scripts/nested's watch for a frozen L1: QEMU 7.2's TCG now and then
# leaves L1's vCPU halted for good with an interrupt pending (scripts/nested,
# "a frozen L1"). A module in L1 (tests/e2e/l1freeze) makes that state on
# purpose, with the global interrupt flag clear, so that the key press
# scripts/nested gives a frozen L1 cannot wake it either. With
# PTVM_NESTED_RETRY=1, scripts/nested must say so in one line, end that
# L1, boot another, run the command again and print only the second run's
# output. Without it, the same freeze must end the run at once with
# COMMAND's "did not finish" status. (The state is called a freeze here
# after 10 s of it, not scripts/nested's default 30.)
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 8
	kmod_build tests/e2e/l1freeze "$PTVM_KVER"
	for retry in 1 0; do
		out=$(mktemp -d)
		s=$SECONDS
		PTVM_NESTED_RETRY=$retry PTVM_NESTED_FROZEN_SECS=10 scripts/nested -I -t 600 -o "$out" -- \
			bash tests/e2e/freeze.t --in-l1 >"$out/log" 2>&1
		rc=$?
		echo "# PTVM_NESTED_RETRY=$retry: exit $rc after $((SECONDS - s)) s"
		grep -v '^ok\|^not ok' "$out/log" | tap_diag
		if [ $retry = 1 ]; then
			tap_check "retry: the second L1 ran the command to its end (exit 0, got $rc)" [ $rc = 0 ]
			tap_check "... after one line: the halted vCPU, its pending vector, and a key press that did not wake it" \
				grep -q '^# nested: L1 froze: cpu0 halted at [0-9a-f]* with vector [0-9]* pending.* a key press did not wake it' "$out/log"
			tap_check "... and one that says L1 boots again" grep -q '^# nested: booting L1 again' "$out/log"
			tap_check "... printing only the second run's output" \
				sh -c "[ \"\$(grep -c '^FREEZE-RUN' $out/log)\" = 1 ] && grep -q '^FREEZE-RUN 2' $out/log"
		else
			tap_check "no retry: the run ends as COMMAND not finished (exit 124, got $rc)" [ $rc = 124 ]
			tap_check "... after the same line" grep -q '^# nested: L1 froze: cpu0 halted' "$out/log"
			tap_check "... with no second boot" sh -c "! grep -q 'booting L1 again' $out/log"
		fi
		rm -rf "$out"
	done
	exit 0
fi

# ---- in L1: the first run freezes it, a second one ends at once ----
# (FREEZE_MARK: where the first run leaves its mark; a job in a shared L1
# needs one outside its own OUT, which goes with the frozen L1)
mark=${FREEZE_MARK:-$OUT/froze}
if [ ! -e "$mark" ]; then
	: >"$mark"
	echo "FREEZE-RUN 1"
	insmod build/e2e/l1freeze/l1freeze.ko
	echo "FREEZE-RUN 1: insmod returned $?"
	exit 1
fi
echo "FREEZE-RUN 2"
