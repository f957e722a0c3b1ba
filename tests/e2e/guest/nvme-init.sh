#!/bin/sh
# NVMe check: read the marker the test wrote into the image, write 8 MiB of
# random data with O_DIRECT, read it back and compare, count interrupts.
. /common.sh
# ptvm.early_bme=1 (earlybme.t): the first act, before any driver loads, is
# to set Bus Master Enable on the drive (class 0x010802) through sysfs; the
# write returns once ptvm lets it through.
if [ -n "$(arg ptvm.early_bme)" ]; then
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat $d/class)" = 0x010802 ] || continue
		printf '\006\000' | dd of=$d/config bs=2 seek=2 count=1 conv=notrunc 2>/dev/null
		echo "PTVM-EARLY-BME ${d##*/} command=$(od -An -tx2 -j 4 -N 2 $d/config | tr -d ' ') uptime=$(cut -d' ' -f1 /proc/uptime)"
	done
fi
loadmods
# how the kernel came in (boot_params.type_of_loader: 0xb0 from Linux's own
# PVH entry when not on Xen, 0xff from ptvm's bzImage zero page), and the
# CPUs it brought up
echo "PTVM-BOOT loader=$(od -An -tx1 -j 528 -N 1 /sys/kernel/boot_params/data | tr -d ' ') cpus=$(grep -c ^processor /proc/cpuinfo)"
dev=/dev/nvme0n1
for i in $(seq 100); do [ -b $dev ] && break; sleep 0.2; done
[ -b $dev ] || { echo "PTVM-NVME no $dev"; dmesg | tail -30; finish; }
off=$(arg ptvm.marker_off)
echo "PTVM-MARKER $(dd if=$dev bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000")"
# 8 MiB at 16 MiB (or ptvm.rw_off MiB), both ways with O_DIRECT
rw=$(arg ptvm.rw_off)
dd if=/dev/urandom of=/tmp/w bs=1M count=8 2>/dev/null
dd if=/tmp/w of=$dev bs=1M seek=${rw:-16} count=8 oflag=direct conv=fsync 2>/dev/null
dd if=$dev of=/tmp/r bs=1M skip=${rw:-16} count=8 iflag=direct 2>/dev/null
if cmp -s /tmp/w /tmp/r; then echo "PTVM-RW-OK $(md5sum </tmp/w | cut -c1-32)"; else echo PTVM-RW-BAD; fi
n=$(arg ptvm.reads)
if [ -n "$n" ]; then
	echo PTVM-READS-START
	dd if=$dev of=/dev/null bs=4096 count=$n iflag=direct 2>&1 | tail -n 1 | sed 's/^/PTVM-READS /'
	echo PTVM-READS-END
fi
grep -E "nvme|MSI|IO-APIC" /proc/interrupts | sed 's/^/PTVM-IRQ /'
finish
