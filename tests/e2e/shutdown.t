#!/usr/bin/env bash
# Graceful stop: SIGTERM presses the guest's ACPI power button. A guest
# that listens (its init stands in for acpid) stops its writer, unmounts
# the ext4 filesystem on the passed-through NVMe drive and powers off:
# ptvm exits 0 and the host finds the filesystem clean with every record
# up to the last one the guest wrote. A guest that ignores the button is
# stopped at the deadline (143); one without a button driver at once.
# nested-shared: -d nvme:build/e2e/shutdown.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 18
	scripts/guest-initrd build/e2e/shutdown.cpio.gz tests/e2e/guest/shutdown-init.sh \
		nvme ext4 button evdev -- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/shutdown.img
	blank_image $img 64M
	mkfs.ext4 -q -F $img
	out=$(mktemp -d)
	scripts/nested -t 600 -o "$out" -d nvme:$img -- bash tests/e2e/shutdown.t --in-l1 || echo "# nested: exit $?"
	# The listening guest's filesystem, checked on the host.
	last=$(grep -a PTVM-LAST "$out/listen.log" | tr -d '\r' | awk '{print $3}')
	e2fsck -fn $img >"$out/fsck" 2>&1
	rc=$?
	tap_check "e2fsck -fn finds the filesystem clean (exit $rc)" [ $rc = 0 ]
	sed 's/^/fsck: /' "$out/fsck" | tail -5 | tap_diag
	debugfs -R "cat /log" $img 2>/dev/null >"$out/records"
	n=$(wc -l <"$out/records")
	tail1=$(tail -n 1 "$out/records")
	tap_check "the file's last record is the last one the guest wrote (record ${last:-?}, $n lines)" \
		sh -c "[ -n '$last' ] && [ '$tail1' = 'record $last' ]"
	tap_check "every record from 1 to $last is there, in order" \
		sh -c "[ '$n' = '${last:-x}' ] && awk '\$2 != NR { exit 1 }' '$out/records'"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
bdf=${BDFS%% *}
ms() { echo $(($(date +%s%N) / 1000000)); }
# start NAME MODE ARGS...: ptvm in the background, until the guest is ready
start() {
	local name=$1 mode=$2 i
	shift 2
	build/ptvm --kernel "$kernel" --initrd build/e2e/shutdown.cpio.gz --mem 512M \
		--device "$bdf" --stats=json:$OUT/$name.json "$@" \
		--cmdline "console=ttyS0 quiet panic=-1 ptvm.button=$mode" \
		</dev/null >$OUT/$name.log 2>$OUT/$name.err &
	pid=$!
	for i in $(seq 600); do
		grep -q PTVM-READY $OUT/$name.log 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	sleep 2 # the listening guest's writer has written something
}
# stop SIGNAL: sends it, waits for ptvm; rc and elapsed ms
stop() {
	local t0
	t0=$(ms)
	kill -$1 $pid
	wait $pid
	rc=$?
	elapsed=$(($(ms) - t0))
}

start listen listen
stop TERM
tap_check "a listening guest: SIGTERM ends in its poweroff, exit 0 (got $rc, after $elapsed ms)" [ $rc = 0 ]
echo "SIGTERM to exit, guest listening: $elapsed ms" | tap_diag
tap_check "the guest saw the power button press" grep -q PTVM-PRESSED $OUT/listen.log
tap_check "the guest unmounted its filesystem" grep -q PTVM-UMOUNTED $OUT/listen.log
tap_check "ptvm said it pressed the power button" \
	grep -q "pressed the guest's power button; stopping it in 30 s" $OUT/listen.err
tap_check "--stats=json has the request and the poweroff on its timeline, in order" \
	python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timeline_ms']; sys.exit(not 0 < t['shutdown_request'] <= t['guest_poweroff'])" $OUT/listen.json
grep -aE "PTVM-|ptvm:" $OUT/listen.log $OUT/listen.err | tap_diag

start ignore ignore --shutdown-timeout 5
stop TERM
tap_check "a guest that ignores the button: exit 143 at the deadline (got $rc)" [ $rc = 143 ]
tap_check "... after the 5 s deadline, not before (${elapsed} ms)" sh -c "[ $elapsed -ge 5000 ] && [ $elapsed -lt 15000 ]"
echo "SIGTERM to exit, guest ignoring the button, --shutdown-timeout 5: $elapsed ms" | tap_diag
tap_check "... and ptvm said why in one line" \
	grep -q "did not power off within 5 s of Terminated: stopped it" $OUT/ignore.err
tap_check "--stats=json: a request, no poweroff" \
	python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timeline_ms']; sys.exit(not (t['shutdown_request'] > 0 and t['guest_poweroff'] == -1))" $OUT/ignore.json

start twice ignore
kill -TERM $pid
sleep 1
stop TERM
tap_check "a second SIGTERM stops the guest at once, exit 143 (got $rc, after $elapsed ms)" sh -c "[ $rc = 143 ] && [ $elapsed -lt 10000 ]"

start none none
stop TERM
tap_check "a guest without a button driver: exit 143 at once (got $rc, after $elapsed ms)" sh -c "[ $rc = 143 ] && [ $elapsed -lt 10000 ]"
tap_check "... with one line saying the button is not enabled" \
	grep -q "has not enabled its ACPI power button" $OUT/none.err
grep -a "ptvm:" $OUT/none.err | tap_diag

start zero ignore --shutdown-timeout 0
stop TERM
tap_check "--shutdown-timeout 0: SIGTERM stops at once, exit 143 (got $rc, after $elapsed ms)" sh -c "[ $rc = 143 ] && [ $elapsed -lt 10000 ]"

tap_check "the device is back on vfio-pci" \
	[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ]
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
