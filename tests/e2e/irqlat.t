#!/usr/bin/env bash
# irqlat: QEMU's edu device in L1, bound to vfio-pci and passed to the
# guest by ptvm. The guest's build/irqlat raises the device's interrupt
# with a register write 1000 times and times each into user space, on MSI
# and on INTx (uio_pci_generic): every interrupt arrives, exactly once.
# Debian's guest kernel has no CONFIG_VFIO_NOIOMMU, so VFIO cannot take a
# device there (ptvm gives the guest no IOMMU): MSI goes through uio_msi,
# a small UIO module (tests/e2e/guest/uio_msi) that this script builds on
# the host against linux-headers-$KVER (installed when missing) and puts
# into the guest's initrd. irqlat runs in L1 first, on the same device
# (VFIO type1 on L1's IOMMU; uio_pci_generic), as the reference.
# nested-shared: -d edu
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

iters=1000
if [ "${1:-}" != --in-l1 ]; then
	tap_plan 9
	[ -x build/irqlat ] || { echo "Bail out! no build/irqlat (run: ninja)"; exit 1; }
	# uio_msi for the kernel the guest runs (PTVM_GUEST_KVER, scripts/kernels),
	# built out of tree in build/e2e/uio_msi from a copy; when it does not
	# build, the guest reports the insmod failure and MSI fails
	kmod_build tests/e2e/guest/uio_msi "$PTVM_GUEST_KVER"
	scripts/guest-initrd build/e2e/irqlat.cpio.gz tests/e2e/guest/irqlat-init.sh \
		vfio-pci uio uio_pci_generic \
		-- tests/e2e/guest/common.sh:common.sh build/irqlat:bin/irqlat \
		build/e2e/uio_msi/uio_msi.ko:lib/modules/uio_msi.ko
	scripts/nested -t 900 -d edu -- bash tests/e2e/irqlat.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1 ----
bdf=${BDFS%% *}
kernel=$GUEST_KERNEL
# irqlat_ok LOG MODE: the IRQLAT line of MODE counts n fired, n arrived,
# none lost, none spurious
irqlat_ok() {
	grep -a "^IRQLAT mode=$2 " "$1" | tr -d '\r' |
		grep -q " n=$iters got=$iters lost=0 spurious=0 "
}

# The reference: the same device and tool in L1, without ptvm.
modprobe uio_pci_generic
for mode in intx msi; do
	timeout 300 build/irqlat --bdf "$bdf" --edu --mode $mode -n $iters >"$OUT/l1-$mode.log" 2>&1
	echo "IRQLAT-RC $mode $?" >>"$OUT/l1-$mode.log"
	tap_check "L1 reference, $mode: n=$iters lost=0 spurious=0" irqlat_ok "$OUT/l1-$mode.log" $mode
	grep -aE "^(IRQLAT|irq:|irqlat:)" "$OUT/l1-$mode.log" | sed 's/^/L1 /' | tap_diag
done
# irqlat --mode msi left the device on vfio-pci, where ptvm needs it.
[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ] ||
	echo "# $bdf is not on vfio-pci after the reference runs"

log=$OUT/irqlat.log
timeout -k 60 600 build/ptvm --kernel "$kernel" --initrd build/e2e/irqlat.cpio.gz --mem 512M \
	--device "$bdf" --stats --cmdline "console=ttyS0 quiet panic=-1 \
vfio.enable_unsafe_noiommu_mode=1 ptvm.irqlat_n=$iters" </dev/null >"$log" 2>&1
rc=$?
tap_check "ptvm --device $bdf: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]

# MSI in the guest: through uio_msi (Debian's kernel has no VFIO no-IOMMU
# mode), or VFIO where the guest kernel has that mode.
msiline=uio_msi
grep -aq "IRQLAT-NOIOMMU [Y1]" "$log" && msiline=vfio-msi
tap_check "guest, msi: n=$iters lost=0 spurious=0" irqlat_ok "$log" msi
tap_check "guest, msi: /proc/interrupts shows the $msiline line counting on PCI-MSI" \
	awk '/^irq:/ && /PCI-MSI/ && /'$msiline'/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s >= '$iters') }' "$log"
tap_check "guest, intx: n=$iters lost=0 spurious=0" irqlat_ok "$log" intx
tap_check "guest, intx: uio_pci_generic counts them on an IO-APIC line" \
	awk '/^irq:/ && /IO-APIC/ && /uio_pci_generic/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s >= '$iters') }' "$log"
tr -d '\r' <"$log" | grep -aE "^(IRQLAT |IRQLAT-RC|IRQLAT-NOIOMMU|IRQLAT-UIOMSI|irq:|irqlat:)" |
	sed 's/^/guest /' | tap_diag
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
if [ $rc != 0 ] || grep -aqE "IRQLAT-RC (intx|msi) [1-9]" "$log"; then
	echo "# ptvm --stats and the guest's last words:"
	tr -d '\r' <"$log" | grep -avE "^  \[" | tail -60 | tap_diag
	echo "# L1: the device's lines in /proc/interrupts, and what its kernel said of IRQs and VFIO:"
	grep -aE "$bdf|vfio" /proc/interrupts | sed 's/^/L1 /' | tap_diag
	dmesg | grep -aiE "nobody cared|disabling irq|irq [0-9]+:|vfio|dmar|iommu.*fault" | tail -20 | sed 's/^/L1 /' | tap_diag
fi
