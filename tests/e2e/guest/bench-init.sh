#!/bin/sh
# scripts/bench's guest, one initrd for every run so that both VMMs boot the
# same image. ptvm.bench= on the command line picks the work, a
# comma-separated list of:
#   boot    nothing past the init marker (any unknown word does the same)
#   nvme    the drive's 4 KiB QD1 random read latency and sequential read
#           throughput (/bin/nvmelat, ptvm.nvme_n reads, ptvm.nvme_seq MiB),
#           between PTVM-IO-BEGIN and PTVM-IO-END lines that the host uses
#           to snapshot the VMM's counters; END carries the reads the block
#           layer completed in between
#   idle    PTVM-IDLE, then ptvm.idle seconds of sleep: the host samples
#           the VMM's memory meanwhile
#   irqlat  the edu device's interrupt latency into user space (/bin/irqlat,
#           ptvm.irqlat_n interrupts): MSI through uio_msi, the module in
#           /lib/modules/uio_msi.ko, between a PTVM-MSI-BEGIN line (and
#           2 s of sleep) and a silent 3 s (the host reads the VMM's
#           threads meanwhile; the results are printed after), then INTx
#           through uio_pci_generic
#   bar     the write to the ivshmem device's (1af4:1110) sysfs `enable`
#           that turns its BARs' decoding on, timed (/bin/timedwrite): a
#           VMM that maps BARs for peer-to-peer DMA when decoding comes on
#           does it during that write
# then finish (common.sh).
# ptvm.hold=S: S seconds of sleep right after the init marker, before
# anything else: the host reads the VMM's exit counters as they were at
# init.
. /common.sh
echo PTVM-INIT
hold=$(arg ptvm.hold)
[ -n "$hold" ] && sleep "$hold"
loadmods
for work in $(arg ptvm.bench | tr , ' '); do
case $work in
nvme)
	dev=/dev/nvme0n1
	for i in $(seq 100); do [ -b $dev ] && break; sleep 0.2; done
	[ -b $dev ] || { echo "PTVM-NVME no $dev"; dmesg | tail -30; continue; }
	echo PTVM-IO-BEGIN
	# time for the host to take its first snapshot while the guest idles
	sleep 2
	r0=$(awk '{print $1}' /sys/block/nvme0n1/stat)
	/bin/nvmelat -n "$(arg ptvm.nvme_n)" -s "$(arg ptvm.nvme_seq)" $dev 2>&1
	r1=$(awk '{print $1}' /sys/block/nvme0n1/stat)
	echo "PTVM-IO-END reads=$((r1 - r0))"
	sleep 2
	;;
idle)
	echo PTVM-IDLE
	sleep "$(arg ptvm.idle)"
	;;
irqlat)
	bdf=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1234:0x11e8 ] && bdf=$(basename $d)
	done
	if [ -n "$bdf" ]; then
		if insmod /lib/modules/uio_msi.ko; then echo "IRQLAT-UIOMSI loaded"; else echo "IRQLAT-UIOMSI failed"; fi
		echo PTVM-MSI-BEGIN
		# time for the host (polling the console every 0.1 s, on a
		# busy machine) to see the line and read its counters first
		sleep 2
		/bin/irqlat --bdf $bdf --edu --mode msi --uio -n "$(arg ptvm.irqlat_n)" >/tmp/irqlat-msi 2>&1
		rc=$?
		sleep 3
		cat /tmp/irqlat-msi
		echo "IRQLAT-RC msi $rc"
		/bin/irqlat --bdf $bdf --edu --mode intx -n "$(arg ptvm.irqlat_n)" 2>&1
	else
		echo "IRQLAT-ERROR no edu device (1234:11e8) on the guest's bus"
	fi
	;;
bar)
	ivsh=
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] && ivsh=$d
	done
	if [ -n "$ivsh" ]; then
		echo "PTVM-BAR command=$(dd if=$ivsh/config bs=1 skip=4 count=2 2>/dev/null | od -An -tx2 | tr -d ' ')"
		/bin/timedwrite $ivsh/enable 1
	else
		echo "PTVM-BAR no ivshmem device (1af4:1110) on the guest's bus"
	fi
	;;
esac
done
finish
