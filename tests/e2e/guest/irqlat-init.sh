#!/bin/sh
# irqlat in the guest: QEMU's edu device raises an interrupt on a register
# write; /bin/irqlat times it into user space, on MSI and then on INTx
# (uio_pci_generic). MSI goes through VFIO only where the kernel has its
# no-IOMMU mode (ptvm gives the guest no IOMMU); Debian's has not, so
# /bin/irqlat falls back to uio_msi, the module that irqlat.t builds from
# tests/e2e/guest/uio_msi against this kernel's headers.
. /common.sh
loadmods
if insmod /lib/modules/uio_msi.ko; then echo "IRQLAT-UIOMSI loaded"; else echo "IRQLAT-UIOMSI failed"; fi
n=$(arg ptvm.irqlat_n)
bdf=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x11e8 ] && bdf=$(basename $d)
done
if [ -z "$bdf" ]; then
	echo "IRQLAT-ERROR no edu device (1234:11e8) on the guest's bus"
	finish
fi
p=/sys/module/vfio/parameters/enable_unsafe_noiommu_mode
if [ -e $p ]; then echo "IRQLAT-NOIOMMU $(cat $p)"; else echo "IRQLAT-NOIOMMU absent"; fi
for mode in msi intx; do
	echo "IRQLAT-START $mode $bdf"
	/bin/irqlat --bdf $bdf --edu --mode $mode -n ${n:-1000} 2>&1
	echo "IRQLAT-RC $mode $?"
done
dmesg | grep -iE "vfio|uio|edu|11e8|warning|call trace|bug:" | tail -20 | sed 's/^/IRQLAT-DMESG /'
finish
