#!/usr/bin/env bash
# Bad devices: each case gets one line naming the device and the fix, exit
# 1, and leaves the host clean: the device still on vfio-pci and free, no
# ptvm process, no /dev/vfio group held.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ -z "${1:-}" ]; then
	tap_plan 18
	scripts/guest-initrd build/e2e/boot.cpio.gz tests/e2e/guest/boot-init.sh \
		-- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/devfail.img
	rm -f $img $img.2
	truncate -s 16M $img $img.2
	# 04.0 nvme on vfio-pci; 05.0 nvme kept on its L1 driver; slot 6 is one
	# multi-function device (one IOMMU group): 06.0 on vfio-pci, 06.1 an
	# e1000 that L1's driver keeps.
	scripts/nested -t 900 -d nvme:$img -k nvme:$img.2 \
		-d raw:edu,addr=06.0,multifunction=on -k raw:e1000,addr=06.1 \
		-- bash tests/e2e/devfail.t --in-l1 || echo "# nested: exit $?"
	# An L1 without an IOMMU: nothing can be bound to vfio-pci there.
	scripts/nested -t 300 -I -k nvme:$img -- bash tests/e2e/devfail.t --no-iommu ||
		echo "# nested: exit $?"
	exit 0
fi

kernel=$GUEST_KERNEL
tmp=/tmp/devfail
mkdir -p $tmp
# fails NAME PATTERN ARGS...: exit 1 and one stderr line matching PATTERN
fails() {
	local name=$1 pat=$2 rc lines
	shift 2
	timeout 60 "$@" >$tmp/out 2>$tmp/err </dev/null
	rc=$?
	lines=$(wc -l <$tmp/err)
	if [ $rc = 1 ] && [ "$lines" = 1 ] && grep -qE -- "$pat" $tmp/err; then
		tap_ok "$name"
	else
		tap_fail "$name (rc=$rc; stderr: $(head -c 400 $tmp/err))"
	fi
	head -c 400 $tmp/err | tap_diag
}
clean() { # clean BDF: still on vfio-pci, nobody holds a VFIO group, no ptvm
	local drv
	drv=$(basename "$(readlink /sys/bus/pci/devices/$1/driver)")
	if [ "$drv" = vfio-pci ] && ! pgrep -x ptvm >/dev/null &&
		! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q '/dev/vfio/[0-9]'; then
		tap_ok "host clean after: $2"
	else
		tap_fail "host clean after: $2 (driver $drv; $(pgrep -a ptvm))"
	fi
}
ptvm=(build/ptvm --kernel $kernel --initrd build/e2e/boot.cpio.gz --mem 256M)

if [ "${1:-}" = --no-iommu ]; then
	fails "no IOMMU: says to enable it" "$KEPT: no IOMMU group: the host IOMMU is off \(boot the host with intel_iommu=on" \
		"${ptvm[@]}" --device $KEPT
	exit 0
fi

set -- $BDFS
nvme=$1 edu=$2
set -- $KEPT
kept=$1
modprobe nvme
modprobe e1000

fails "a device that does not exist" "0000:00:1e.0: no such PCI device" "${ptvm[@]}" --device 0000:00:1e.0
fails "a device on another driver: says how to bind it" \
	"$kept: bound to nvme, not vfio-pci \(run: echo vfio-pci > /sys/bus/pci/devices/$kept/driver_override" \
	"${ptvm[@]}" --device $kept
fails "an IOMMU group that is not viable: lists the other members" \
	"$edu: IOMMU group [0-9]+ is not viable: .*0000:00:06.1 \(e1000\)" "${ptvm[@]}" --device $edu
clean $edu "a group that is not viable"

# With both functions of that slot on vfio-pci, they pass together and keep
# their function numbers in one guest slot.
build/ptvm bind 0000:00:06.1 | tap_diag
"${ptvm[@]}" --device 0000:00:06.1 --device $edu --cmdline "console=ttyS0 quiet panic=-1" \
	</dev/null >$tmp/mf.log 2>&1
rc=$?
tap_check "a multi-function device passes whole (exit $rc)" [ $rc = 0 ]
tap_check "its functions keep their numbers in one guest slot" \
	sh -c "grep -qa 'PTVM-PCI 0000:00:01.0 0x1234:0x11e8' $tmp/mf.log &&
		grep -qa 'PTVM-PCI 0000:00:01.1 0x8086:0x100e' $tmp/mf.log"
grep -a PTVM-PCI $tmp/mf.log | tap_diag

# The same device in use by a running ptvm.
"${ptvm[@]}" --device $nvme --cmdline "console=ttyS0 quiet panic=-1 ptvm.end=hang" </dev/null >$tmp/first.log 2>&1 &
first=$!
for i in $(seq 60); do grep -q PTVM-HANGING $tmp/first.log && break; sleep 1; done
fails "a device in use by another process: names its pid" \
	"$nvme: in use by another process \(pid $first holds /dev/vfio/[0-9]+\)" "${ptvm[@]}" --device $nvme
kill -TERM $first
wait $first
rc=$?
tap_check "the first ptvm ends on SIGTERM with 143 (got $rc)" [ $rc = 143 ]
clean $nvme "a device in use"

# Locked memory: no CAP_IPC_LOCK and a 1 MiB limit.
fails "a locked-memory limit too low: says the size needed" \
	"guest RAM: 256 MiB must be locked for device DMA, but the locked-memory limit is 1024 KiB \(raise it to 262144 KiB" \
	setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock sh -c \
	"ulimit -l 1024; exec build/ptvm --kernel $kernel --initrd build/e2e/boot.cpio.gz --mem 256M --device $nvme"
clean $nvme "a locked-memory failure"
# A map that fails halfway: the limit covers the first 256 MiB chunk of
# 512 MiB, and the guest already runs (--dma-map overlap) when the second
# is refused. ptvm ends with one line; closing the container unmaps the rest.
fails "a DMA map refused halfway, while the guest boots: one line, exit 1" \
	"guest RAM: 512 MiB must be locked for device DMA, but the locked-memory limit is 262144 KiB" \
	setpriv --bounding-set=-ipc_lock --inh-caps=-ipc_lock sh -c \
	"ulimit -l 262144; exec build/ptvm --kernel $kernel --initrd build/e2e/boot.cpio.gz --mem 512M --device $nvme --stats=json:$tmp/half.json"
tap_check "the guest was already running when the map failed, and the map never completed" \
	python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timeline_ms']; sys.exit(not (t['first_vcpu_entry'] > 0 and t['ram_dma_ready'] == -1))" $tmp/half.json
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print('# timeline', j['timeline_ms'], 'ram_dma', j['ram_dma'])" $tmp/half.json 2>&1 | head -3
clean $nvme "a DMA map refused halfway"

# After all that, the device still works: a full boot with it passes.
"${ptvm[@]}" --device $nvme --cmdline "console=ttyS0 quiet panic=-1" </dev/null >$tmp/last.log 2>&1
rc=$?
tap_check "the device works for the next run (exit $rc)" [ $rc = 0 ]
tap_check "the guest saw it on its bus 0, slot 1" grep -qa "PTVM-PCI 0000:00:01.0 0x1b36:0x0010" $tmp/last.log
clean $nvme "a normal run"
