#!/usr/bin/env bash
# arm64 reference run: the arm64 sandbox (scripts/nested-arm64) with QEMU
# as the VMM in L1, so that what fails later under ptvm's arm64 build is
# known to work with a reference VMM on the same L1, devices and guests.
# One arm64 L1 with an NVMe drive and an e1000e bound to vfio-pci; QEMU in
# L1 (-M virt,gic-version=3 -accel kvm -cpu host) boots Debian's arm64
# kernel (PTVM_KVER_ARM64) with each device passed through (vfio-pci):
#   NVMe: the guest reads a marker the test wrote into the image, writes
#   8 MiB with O_DIRECT at 16 MiB, reads it back and compares; the host
#   checks those bytes in the image; the nvme queues' MSI-X vectors count
#   interrupts through the ITS (ITS-MSI in /proc/interrupts).
#   e1000e: the driver binds, the link comes up, IPv6 link-local pings reach
#   L1's own e1000e (00:10.0) on the same QEMU hub, on MSI-X.
# Before them, tests/e2e/arm64/kvm-caps (a static musl program built here
# with aarch64-linux-musl-gcc, as ptvm's arm64 build will be) checks in L1
# what a VMM needs of KVM and VFIO: a VM with a vGICv3 and an ITS, a vCPU
# that runs, exits on MMIO and powers off through PSCI; VFIO type1v2 on the
# SMMUv3 with its MSI window left out of the usable IOVA ranges.
# Diagnostics give L1's boot-to-command time, each guest's time under QEMU
# (wall in L1, and the guest's uptime at power-off) and the whole wall time.
# Like x86's reference runs (P2P_QEMU=1, SWEEP_QEMU=1), not part of the
# suite: ARM64_REF=1 runs it (what it checks of the sandbox, every arm64
# scenario needs anyway). Skipped also when the host has no
# qemu-system-aarch64.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	if [ "${ARM64_REF:-0}" != 1 ]; then
		echo "1..0 # SKIP QEMU's arm64 reference run is not part of the suite (ARM64_REF=1 runs it)"
		exit 0
	fi
	if ! command -v qemu-system-aarch64 >/dev/null; then
		echo "1..0 # SKIP no qemu-system-aarch64 on the host (scripts/setup installs it)"
		exit 0
	fi
	tap_plan 19
	t0=$SECONDS
	scripts/arm64-root
	tap_check "the arm64 L1 root is built (scripts/arm64-root, build/arm64/root)" \
		[ -x "$PTVM_ARM64_ROOT/usr/bin/qemu-system-aarch64" ]
	scripts/guest-initrd -a arm64 build/e2e/arm64-nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	scripts/guest-initrd -a arm64 build/e2e/arm64-net.cpio.gz tests/e2e/guest/net-init.sh e1000e \
		-- tests/e2e/guest/common.sh:common.sh
	# kvm-caps: musl's headers and the kernel's arm64 uapi (linux-libc-dev:arm64)
	caps=build/e2e/arm64-kvm-caps uapi=build/e2e/arm64-uapi
	if command -v aarch64-linux-musl-gcc >/dev/null && [ ! $caps -nt tests/e2e/arm64/kvm-caps.c ]; then
		mkdir -p $uapi
		for d in linux asm-generic; do ln -sfn /usr/include/$d $uapi/$d; done
		ln -sfn /usr/include/aarch64-linux-gnu/asm $uapi/asm
		aarch64-linux-musl-gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -isystem $uapi \
			tests/e2e/arm64/kvm-caps.c -o $caps.tmp && mv $caps.tmp $caps
	fi
	[ -x $caps ] || echo "# no $caps (aarch64-linux-musl-gcc: scripts/setup)"
	img=build/e2e/arm64-ref.img
	blank_image $img 64M
	marker="ptvm-arm64-marker-$RANDOM$RANDOM"
	put_marker $img "$marker"
	out=$(mktemp -d)
	t1=$SECONDS
	scripts/nested-arm64 -t 900 -o "$out" -d nvme:$img -d e1000e -- bash tests/e2e/arm64-ref.t --in-l1 ||
		echo "# nested-arm64: exit $?"
	got=$(grep -a PTVM-MARKER "$out/nvme.log" 2>/dev/null | tr -d '\r' | awk '{print $2}')
	tap_check "nvme: the guest read the marker the test wrote into the image" [ "$got" = "$marker" ]
	sum=$(grep -a PTVM-RW-OK "$out/nvme.log" 2>/dev/null | tr -d '\r' | awk '{print $2}')
	host=$(dd if=$img bs=1M skip=16 count=8 2>/dev/null | md5sum | cut -c1-32)
	tap_check "nvme: the image holds the 8 MiB the guest wrote (md5 $host)" [ "${sum:-none}" = "$host" ]
	echo "# wall time: L1 $((SECONDS - t1)) s, the whole scenario $((SECONDS - t0)) s"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
set -- $BDFS
nvme=$1 nic=$2
tap_check "L1 runs arm64 with KVM in VHE mode" \
	sh -c '[ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ] && dmesg | grep -q "VHE mode initialized"'
tap_check "each device is in an IOMMU group of its own with the SMMUv3's MSI window reserved" \
	sh -c "for b in $BDFS; do [ \$(ls /sys/bus/pci/devices/\$b/iommu_group/devices | wc -l) = 1 ] &&
		grep -q '^0x0000000008000000 0x00000000080fffff msi' /sys/bus/pci/devices/\$b/iommu_group/reserved_regions || exit 1; done"
dmesg | grep -E "kvm \[|smmu|ITS" | head -12 | tap_diag

caps=build/e2e/arm64-kvm-caps
if [ -x $caps ]; then
	$caps $nvme >$OUT/kvm-caps.log 2>&1
	rc=$?
	tap_check "kvm-caps: a static musl program made a VM with a vGICv3 and an ITS; its vCPU ran, exited on MMIO 1000 times and powered off through PSCI (exit $rc)" \
		sh -c "[ $rc = 0 ] && grep -q GUEST_OK $OUT/kvm-caps.log"
	tap_check "kvm-caps: VFIO type1v2's IOVA ranges leave out the MSI window 0x8000000-0x80fffff, where a DMA map is refused" \
		sh -c "grep -q '^iova_range 0x0-0x7ffffff$' $OUT/kvm-caps.log && grep -q '^iova_range 0x8100000-' $OUT/kvm-caps.log &&
			grep -q '^map_dma_msi_window refused' $OUT/kvm-caps.log && grep -q '^map_dma_0x40000000 ok' $OUT/kvm-caps.log"
	tap_diag <$OUT/kvm-caps.log
else
	tap_ok "kvm-caps # SKIP not built (no aarch64-linux-musl-gcc on the host)"
	tap_ok "kvm-caps: VFIO # SKIP not built"
fi

# run NAME INITRD BDF CMDLINE: QEMU in L1 boots the arm64 guest with INITRD
# and device BDF passed through; console in $OUT/NAME.log
run() {
	local t rc up
	t=$(date +%s.%N)
	timeout -k 30 300 qemu-system-aarch64 -M virt,gic-version=3 -accel kvm -cpu host -m 512 -smp 1 \
		-nographic -nodefaults -no-reboot -serial stdio \
		-kernel "$GUEST_KERNEL" -initrd "$2" -device "vfio-pci,host=$3" \
		-append "console=ttyAMA0 quiet panic=-1 $4" </dev/null >"$OUT/$1.log" 2>&1
	rc=$?
	up=$(tr -d '\r' <"$OUT/$1.log" | sed -n 's/^\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p')
	echo "# $1: QEMU in L1 ran $(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $t}") s (wall in L1); the guest's uptime at power-off: ${up:-?} s"
	return $rc
}

run nvme build/e2e/arm64-nvme.cpio.gz $nvme "ptvm.marker_off=$marker_off ptvm.rw_off=16"
rc=$?
log=$OUT/nvme.log
tap_check "nvme: QEMU -device vfio-pci,host=$nvme: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "nvme: the guest found the drive" grep -qa "PTVM-MARKER" $log
tap_check "nvme: 8 MiB written and read back with O_DIRECT compare equal" grep -qa "PTVM-RW-OK" $log
tap_check "nvme: the nvme queues count interrupts on ITS-MSI vectors" \
	awk '/PTVM-IRQ/ && /ITS-MSI/ && /nvme/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) { s += $i; break } } END { exit !(s > 0) }' $log
tap_check "nvme: the guest saw more than one nvme queue vector" \
	[ "$(grep -a PTVM-IRQ $log | grep -c nvme)" -ge 2 ]
grep -aE "PTVM-|nvme|rror" $log | head -20 | tap_diag
[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }
tap_check "nvme: the device is still bound to vfio-pci after QEMU exits" \
	[ "$(basename "$(readlink /sys/bus/pci/devices/$nvme/driver)")" = vfio-pci ]

l1_peer_up
run e1000e build/e2e/arm64-net.cpio.gz $nic ""
rc=$?
log=$OUT/e1000e.log
tap_check "e1000e: QEMU -device vfio-pci,host=$nic: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "e1000e: the guest's driver bound" grep -qa "PTVM-NET driver=e1000e" $log
tap_check "e1000e: link up" grep -qa "PTVM-LINK carrier=1" $log
tap_check "e1000e: IPv6 link-local ping to L1 answered" grep -qaE "PTVM-PING .* 0% packet loss" $log
tap_check "e1000e: the driver's interrupt mode is MSI-X, through the ITS" \
	sh -c "grep -qaE 'PTVM-IRQMODE msix\s*$' $log && grep -a PTVM-IRQ $log | grep -q ITS-MSI"
grep -aE "PTVM-|rror" $log | head -20 | tap_diag
[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }
# (a process name is cut to 15 characters)
tap_check "no QEMU process left in L1" sh -c "! pgrep -x qemu-system-aar"
