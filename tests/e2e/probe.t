#!/usr/bin/env bash
# probe, bind and unbind on an NVMe drive that starts on its host driver:
# the verdicts, valid JSON, and the drive back on nvme with its disk
# visible after unbind. Also refuses to bind a drive whose disk is mounted.
# nested-shared: -k nvme:build/e2e/probe.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 11
	img=build/e2e/probe.img
	blank_image $img 64M
	mkfs.ext2 -q -F $img
	scripts/nested -t 500 -k nvme:$img -- bash tests/e2e/probe.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1 ----
bdf=$KEPT
modprobe nvme
for i in $(seq 50); do [ -e /sys/bus/pci/devices/$bdf/driver ] && break; sleep 0.1; done
out=$(build/ptvm probe $bdf)
rc=$?
echo "$out" | tap_diag
tap_check "probe on nvme: not ready (exit 1), says to bind" \
	sh -c "[ $rc = 1 ] && echo '$out' | grep -q 'verdict.*not ready: bind it to vfio-pci (ptvm bind $bdf)'"
tap_check "probe shows driver, group, BAR and MSI-X" \
	sh -c "echo '$out' | grep -q '^driver *nvme' && echo '$out' | grep -q '^iommu_group *[0-9]' &&
		echo '$out' | grep -q '^bar0 *memory 64-bit' && echo '$out' | grep -q 'MSI-X (0x11): emulated'"
build/ptvm probe $bdf --json >$OUT/probe.json
tap_check "probe --json is valid JSON" python3 -m json.tool $OUT/probe.json

# a mounted disk keeps the drive from being taken
for i in $(seq 50); do [ -b /dev/nvme0n1 ] && break; sleep 0.1; done
modprobe ext4; mkdir -p /tmp/mnt && mount /dev/nvme0n1 /tmp/mnt
err=$(build/ptvm bind $bdf 2>&1)
rc=$?
tap_check "bind refuses while the disk is mounted (exit $rc)" \
	sh -c "[ $rc = 1 ] && echo '$err' | grep -q 'nvme0n1 is in use'"
umount /tmp/mnt

build/ptvm bind $bdf | tap_diag
rc=${PIPESTATUS[0]}
tap_check "bind moves it to vfio-pci" \
	[ $rc = 0 -a "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ]
tap_check "the remembered driver is nvme" grep -qx nvme /run/ptvm/$bdf.driver
out=$(build/ptvm probe $bdf)
rc=$?
echo "$out" | tap_diag
tap_check "probe after bind: ready (exit 0)" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -q 'verdict *ready to pass through'"
build/ptvm probe $bdf --json >$OUT/probe2.json
tap_check "probe --json after bind is valid JSON with the verdict" \
	sh -c "python3 -m json.tool $OUT/probe2.json >/dev/null && grep -q '\"verdict\": \"ready' $OUT/probe2.json"

build/ptvm unbind $bdf | tap_diag
rc=${PIPESTATUS[0]}
tap_check "unbind gives it back to nvme" \
	[ $rc = 0 -a "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = nvme ]
for i in $(seq 50); do [ -b /dev/nvme0n1 ] && break; sleep 0.1; done
tap_check "its disk is visible in L1 again" [ -b /dev/nvme0n1 ]
err=$(build/ptvm probe 0000:00:1e.0 2>&1)
rc=$?
lines=$(echo "$err" | wc -l)
if [ $rc = 1 ] && [ $lines = 1 ] && [[ $err == *"no such PCI device"* ]]; then
	tap_ok "probe of a missing device: one line, exit 1"
else
	tap_fail "probe of a missing device: one line, exit 1 (rc $rc: $err)"
fi
