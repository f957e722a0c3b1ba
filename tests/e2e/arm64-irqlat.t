#!/usr/bin/env bash
# irqlat on arm64 (tests/e2e/irqlat.t's twin): QEMU's edu device in the
# arm64 L1 (scripts/nested-arm64), bound to vfio-pci and passed to the
# guest by ptvm's arm64 build. The guest's irqlat (build/arm64/irqlat,
# static musl) raises the device's interrupt with a register write 1000
# times and times each into user space, on MSI (through the guest's GICv3
# ITS) and on INTx (uio_pci_generic, a level-triggered GIC SPI): every
# interrupt arrives, exactly once. Debian's arm64 kernel has no
# CONFIG_VFIO_NOIOMMU either, so MSI goes through uio_msi
# (tests/e2e/guest/uio_msi), cross-built here for the guest's kernel
# (kmod_build -a arm64: its arm64 headers unpacked into build/, the host's
# x86 kbuild tools). irqlat runs in L1 first, on the same device (VFIO
# type1 on L1's SMMUv3 for MSI; uio_pci_generic for INTx), as the
# reference. Skipped only without qemu-system-aarch64 or
# aarch64-linux-musl-gcc on the host.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

iters=1000
if [ "${1:-}" != --in-l1 ]; then
	for t in qemu-system-aarch64 aarch64-linux-musl-gcc; do
		command -v $t >/dev/null || { echo "1..0 # SKIP no $t on the host (scripts/setup installs it)"; exit 0; }
	done
	tap_plan 9
	t0=$SECONDS
	# (flock: scenarios run side by side, and two ninjas must not share
	# build/'s logs)
	mkdir -p build/e2e
	flock build/e2e/.arm64-ninja.lock ninja build/arm64/ptvm build/arm64/irqlat >/dev/null ||
		{ echo "Bail out! ninja build/arm64/ptvm build/arm64/irqlat failed"; exit 1; }
	kver=${PTVM_GUEST_KVER_ARM64:-$PTVM_KVER_ARM64}
	kmod_build -a arm64 tests/e2e/guest/uio_msi "$kver"
	scripts/guest-initrd -a arm64 build/e2e/arm64-irqlat.cpio.gz tests/e2e/guest/irqlat-init.sh \
		vfio-pci uio uio_pci_generic \
		-- tests/e2e/guest/common.sh:common.sh build/arm64/irqlat:bin/irqlat \
		build/e2e/arm64-uio_msi/uio_msi.ko:lib/modules/uio_msi.ko
	out=$(mktemp -d)
	scripts/nested-arm64 -t 900 -o "$out" -d edu -- bash tests/e2e/arm64-irqlat.t --in-l1 ||
		echo "# nested-arm64: exit $?"
	cp "$out/irqlat.log" build/e2e/arm64-irqlat-run.log 2>/dev/null
	echo "# wall time: $((SECONDS - t0)) s"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
bdf=${BDFS%% *}
# irqlat_ok LOG MODE: the IRQLAT line of MODE counts n fired, n arrived,
# none lost, none spurious
irqlat_ok() {
	grep -a "^IRQLAT mode=$2 " "$1" | tr -d '\r' |
		grep -q " n=$iters got=$iters lost=0 spurious=0 "
}
# irq_sum LOG CHIP NAME: the guest's /proc/interrupts lines (irq: ...) of
# NAME on interrupt chip CHIP have counted at least $iters
irq_sum() {
	tr -d '\r' <"$1" | awk '/^irq:/ && /'"$2"'/ && /'"$3"'/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s >= '$iters') }'
}

# The reference: the same device and tool in L1, without ptvm.
modprobe uio_pci_generic
for mode in intx msi; do
	timeout 300 build/arm64/irqlat --bdf "$bdf" --edu --mode $mode -n $iters >"$OUT/l1-$mode.log" 2>&1
	echo "IRQLAT-RC $mode $?" >>"$OUT/l1-$mode.log"
	tap_check "L1 reference, $mode: n=$iters lost=0 spurious=0" irqlat_ok "$OUT/l1-$mode.log" $mode
	grep -aE "^(IRQLAT|irq:|irqlat:)" "$OUT/l1-$mode.log" | sed 's/^/L1 /' | tap_diag
done
# irqlat --mode msi left the device on vfio-pci, where ptvm needs it.
[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ] ||
	echo "# $bdf is not on vfio-pci after the reference runs"

log=$OUT/irqlat.log
t=$SECONDS
timeout -k 60 600 build/arm64/ptvm --kernel "$GUEST_KERNEL" --initrd build/e2e/arm64-irqlat.cpio.gz --mem 512M \
	--device "$bdf" --stats --cmdline "console=ttyS0 quiet panic=-1 ptvm.irqlat_n=$iters" </dev/null >"$log" 2>&1
rc=$?
echo "# the guest under ptvm: $((SECONDS - t)) s (wall in L1)"
tap_check "ptvm --device $bdf: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "guest, msi: n=$iters lost=0 spurious=0" irqlat_ok "$log" msi
# (the uio_msi line: its vector is an LPI of the guest's ITS)
tap_check "guest, msi: /proc/interrupts shows the uio_msi line counting on ITS-MSI" irq_sum "$log" ITS-MSI uio_msi
tap_check "guest, intx: n=$iters lost=0 spurious=0" irqlat_ok "$log" intx
tap_check "guest, intx: uio_pci_generic counts them on a level-triggered GICv3 SPI" irq_sum "$log" "GICv3 .* Level" uio_pci_generic
tr -d '\r' <"$log" | grep -aE "^(IRQLAT |IRQLAT-RC|IRQLAT-NOIOMMU|IRQLAT-UIOMSI|irq:|irqlat:)" |
	sed 's/^/guest /' | tap_diag
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
if [ $rc != 0 ] || grep -aqE "IRQLAT-RC (intx|msi) [1-9]" "$log"; then
	echo "# ptvm --stats and the guest's last words:"
	tr -d '\r' <"$log" | grep -avE "^  \[" | tail -60 | tap_diag
	echo "# L1: the device's lines in /proc/interrupts, and what its kernel said of IRQs and VFIO:"
	grep -aE "$bdf|vfio" /proc/interrupts | sed 's/^/L1 /' | tap_diag
	dmesg | grep -aiE "nobody cared|disabling irq|irq [0-9]+:|vfio|smmu|iommu.*fault" | tail -20 | sed 's/^/L1 /' | tap_diag
fi
