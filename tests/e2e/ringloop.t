#!/usr/bin/env bash
# One exit per type-1 config access, many times over, on the host's own
# /dev/kvm (no Linux guest, so no sandbox): build/tests/cfgloop.img
# alternates config reads of the host bridge and of an absent slot 2,000
# times each, checks every value, prints K and resets through the 0xcf9
# register (queued in KVM's ring with the 0xcf8 writes). Under --reboot it
# runs again and again, with 1 and with 2 vCPUs; SIGTERM ends it.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

tap_plan 10
img=build/tests/cfgloop.img
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timeout -k 60 60 build/ptvm --kernel $img --mem 64M --cmdline "" </dev/null >$tmp/probe 2>&1
prc=$?
if ! grep -q '^K' $tmp/probe; then
	for i in $(seq 10); do echo "ok - # SKIP no usable /dev/kvm here: $(head -c 200 $tmp/probe)"; done
	exit 0
fi

# loop CPUS RUNS: --reboot until RUNS guest runs ended in K (or 300 s)
loop() {
	local log=$tmp/cpus$1.log i
	build/ptvm --kernel $img --mem 64M --cpus $1 --reboot --stats --cmdline "" </dev/null >$log 2>&1 &
	pid=$!
	for i in $(seq 3000); do
		[ "$(grep -c '^K' $log)" -ge $2 ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM $pid
	for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && { echo "# deaf to SIGTERM"; kill -KILL $pid; }
	wait $pid
	rc=$?
	pids="$pids $pid"
}
pids=

for c in 1 2; do
	n=$((c == 1 ? 200 : 100))
	loop $c $n
	log=$tmp/cpus$c.log
	k=$(grep -c '^K' $log)
	tap_check "$c vCPU(s): $n guest runs in a row under --reboot, each with 4,000 right config values (got $k)" [ "$k" -ge $n ]
	tap_check "$c vCPU(s): no wrong config value" sh -c "! grep -q '^F' $log"
	# every finished run: 4,000 exits on the data port, 4,001 queued writes
	runs=$(grep -c "pio: uart 2, pci config 4000, .*queued config address 4001$" $log)
	tap_check "$c vCPU(s): one exit per config access in every run ($runs of $k runs)" [ "$runs" -ge "$k" ]
	tap_check "$c vCPU(s): SIGTERM under load ends ptvm with 143 (got $rc)" [ $rc = 143 ]
	grep -m 3 "pio:" $log | tap_diag
done
tap_check "both ptvm processes are gone" sh -c "for p in $pids; do kill -0 \$p 2>/dev/null && exit 1; done; exit 0"
tap_check "a run without --reboot ends on the guest's reset with exit 3 (got $prc)" [ $prc = 3 ]
