#!/bin/sh
# Resets and SR-IOV (tests/e2e/sriov.t): every NVMe function the guest has
# (PF or VF), each with its own namespace view of one shared drive. For
# each: read the marker, write and read back 8 MiB with O_DIRECT (function
# i at ptvm.rw_off + 8 i MiB). With ptvm.reset=1, then per function: unbind
# the driver, read CC (BAR0 + 0x14) through /dev/mem (the driver's
# shutdown left it non-zero), reset the function through sysfs, read CC
# again (a reset clears it), bind the driver again and repeat the 8 MiB
# check at ptvm.rw_off + 8 i + 4 MiB.
. /common.sh
loadmods
want=$(arg ptvm.nfunc)
# ptvm.blkwait=S: how long each function's block device may take (30 s)
blkwait=$(arg ptvm.blkwait)
fns() { for d in /sys/bus/pci/devices/*; do [ "$(cat $d/class)" = 0x010802 ] && echo ${d##*/}; done; }
# the namespace block device of function $1 once its driver has it
blk() { ls -d /sys/bus/pci/devices/$1/nvme/nvme*/nvme*n1 2>/dev/null | head -n 1 | sed 's|.*/||'; }
waitblk() {
	for t in $(seq $((${blkwait:-30} * 5))); do
		b=$(blk $1)
		[ -n "$b" ] && [ -b /dev/$b ] && { echo $b; return; }
		sleep 0.2
	done
}
# rwcheck DEV MIB TAG: 4 MiB at MIB, both ways with O_DIRECT
rwcheck() {
	dd if=/dev/urandom of=/tmp/w bs=1M count=4 2>/dev/null
	dd if=/tmp/w of=/dev/$1 bs=1M seek=$2 count=4 oflag=direct conv=fsync 2>/dev/null
	dd if=/dev/$1 of=/tmp/r bs=1M skip=$2 count=4 iflag=direct 2>/dev/null
	if cmp -s /tmp/w /tmp/r; then echo "$3-OK $2 $(md5sum </tmp/w | cut -c1-32)"; else echo "$3-BAD $2"; fi
}
echo "PTVM-FUNCS $(fns | wc -l) $(fns | tr '\n' ' ')"
off=$(arg ptvm.marker_off) rw=$(arg ptvm.rw_off) i=0
for f in $(fns); do
	b=$(waitblk $f)
	[ -n "$b" ] || { echo "PTVM-NOBLK $f"; i=$((i + 1)); continue; }
	echo "PTVM-MARKER $f $(dd if=/dev/$b bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000")"
	rwcheck $b $((rw + 8 * i)) "PTVM-RW $f"
	i=$((i + 1))
done
if [ "$(arg ptvm.reset)" = 1 ]; then
	i=0
	for f in $(fns); do
		d=/sys/bus/pci/devices/$f
		bar0=$(head -n 1 $d/resource | cut -d' ' -f1)
		echo $f >/sys/bus/pci/drivers/nvme/unbind
		cc0=$(devmem $((bar0 + 0x14)) 32)
		t0=$(cut -d' ' -f1 /proc/uptime)
		echo 1 >$d/reset
		rc=$?
		t1=$(cut -d' ' -f1 /proc/uptime)
		cc1=$(devmem $((bar0 + 0x14)) 32)
		echo "PTVM-RESET $f method=$(cat $d/reset_method 2>/dev/null) rc=$rc cc_before=$cc0 cc_after=$cc1 took=$t0-$t1"
		echo $f >/sys/bus/pci/drivers/nvme/bind
		b=$(waitblk $f)
		if [ -n "$b" ]; then rwcheck $b $((rw + 8 * i + 4)) "PTVM-RW-AFTER $f"; else echo "PTVM-NOBLK-AFTER $f"; fi
		i=$((i + 1))
	done
fi
grep -E "nvme|MSI" /proc/interrupts | sed 's/^/PTVM-IRQ /'
[ -n "$want" ] && [ "$(fns | wc -l)" != "$want" ] && echo "PTVM-FUNCS-WANTED $want"
finish
