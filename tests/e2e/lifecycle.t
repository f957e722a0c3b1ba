#!/usr/bin/env bash
# Ways of ending that are not a poweroff: SIGKILL (uncatchable: the next run
# must still work), and the host asking for the device back (an unbind of
# vfio-pci while the guest runs: ptvm stops with exit 5 and lets it go).
# Also: the running ptvm is under its seccomp filter, on every thread.
# nested-shared: -d nvme:build/e2e/lifecycle.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 15
	nvme_scenario lifecycle 600
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
bdf=${BDFS%% *}
drv() { basename "$(readlink /sys/bus/pci/devices/$bdf/driver 2>/dev/null)" 2>/dev/null; }
# start LOG [CMDLINE-EXTRA]: a guest that checks the drive, then hangs
start() {
	build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 512M --cpus 2 \
		--device $bdf --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0 ptvm.end=hang" \
		</dev/null >$1 2>&1 &
	pid=$!
	for i in $(seq 300); do grep -qa PTVM-HANGING $1 && return 0; sleep 0.5; done
	echo "# ptvm (pid $pid) did not reach PTVM-HANGING in 150 s; $(wc -c <$1) bytes of output"
	return 1
}
# normal_run LOG: the plain NVMe check, to the end
normal_run() {
	timeout -k 60 200 build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 512M \
		--device $bdf --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0" </dev/null >$1 2>&1
}

# 1. SIGKILL
log=$OUT/kill.log
start $log
tap_check "the guest drove the drive and is idling" grep -qa PTVM-RW-OK $log
tap_check "every ptvm thread runs under the seccomp filter" \
	sh -c "[ \$(grep -l '^Seccomp:[[:space:]]*2' /proc/$pid/task/*/status | wc -l) = \$(ls /proc/$pid/task | wc -l) ] && [ \$(ls /proc/$pid/task | wc -l) -ge 3 ]"
tap_check "ptvm holds its VFIO group while it runs" sh -c "ls -l /proc/$pid/fd | grep -q /dev/vfio/"
kill -KILL $pid
wait $pid 2>/dev/null
tap_check "SIGKILL: no ptvm process left" sh -c "! pgrep -x ptvm"
tap_check "SIGKILL: the device is still on vfio-pci" [ "$(drv)" = vfio-pci ]
tap_check "SIGKILL: nobody holds a /dev/vfio file" sh -c "! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q /dev/vfio/"
log=$OUT/after-kill.log
normal_run $log
rc=$?
tap_check "after SIGKILL, the next run exits 0 (got $rc)" [ $rc = 0 ]
tap_check "after SIGKILL, the next guest's 8 MiB compare equal" grep -qa PTVM-RW-OK $log
grep -aE "PTVM-|ptvm:" $log | tap_diag

# 2. the host wants the device back: unbind vfio-pci under a running guest
log=$OUT/request.log
start $log
echo $bdf >/sys/bus/pci/drivers/vfio-pci/unbind &
unbind=$!
timeout 60 sh -c "while kill -0 $pid 2>/dev/null; do sleep 0.2; done"
term_wait $pid
rc=$?
tap_check "unbind under a running guest: ptvm exits 5 (got $rc)" [ $rc = 5 ]
tap_check "it says why, naming the device" \
	grep -qa "ptvm: $bdf: the host asks for the device back (unbind or removal); stopping the guest" $log
for i in $(seq 60); do kill -0 $unbind 2>/dev/null || break; sleep 0.5; done
tap_check "the unbind completed: the device has no driver" [ -z "$(drv)" ]
grep -a "ptvm:" $log | tap_diag
# Give it back to vfio-pci (driver_override still says so) and run again.
echo $bdf >/sys/bus/pci/drivers_probe
tap_check "rebound to vfio-pci" [ "$(drv)" = vfio-pci ]
log=$OUT/after-request.log
normal_run $log
rc=$?
tap_check "after the request, the next run exits 0 (got $rc)" [ $rc = 0 ]
tap_check "after the request, the next guest's 8 MiB compare equal" grep -qa PTVM-RW-OK $log
grep -aE "PTVM-|ptvm:" $log | tap_diag
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
