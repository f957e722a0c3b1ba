#!/bin/sh
# Disk check on a SATA (AHCI) drive: read the marker, write and read back
# 8 MiB with O_DIRECT, count interrupts and say which mode they use.
. /common.sh
loadmods
dev=/dev/sda
for i in $(seq 100); do [ -b $dev ] && break; sleep 0.2; done
[ -b $dev ] || { echo "PTVM-DISK no $dev"; dmesg | tail -30; finish; }
off=$(arg ptvm.marker_off)
echo "PTVM-MARKER $(dd if=$dev bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000")"
dd if=/dev/urandom of=/tmp/w bs=1M count=8 2>/dev/null
dd if=/tmp/w of=$dev bs=1M seek=16 count=8 oflag=direct conv=fsync 2>/dev/null
dd if=$dev of=/tmp/r bs=1M skip=16 count=8 iflag=direct 2>/dev/null
if cmp -s /tmp/w /tmp/r; then echo "PTVM-RW-OK $(md5sum </tmp/w | cut -c1-32)"; else echo PTVM-RW-BAD; fi
grep -E "ahci|MSI|IO-APIC" /proc/interrupts | sed 's/^/PTVM-IRQ /'
d=$(readlink -f /sys/block/sda/device/../../..)
while [ "$d" != / ] && [ ! -e "$d/msi_irqs" ] && [ ! -e "$d/vendor" ]; do d=$(dirname "$d"); done
echo "PTVM-IRQMODE $(cat $d/msi_irqs/* 2>/dev/null | sort -u | tr '\n' ' ')"
finish
