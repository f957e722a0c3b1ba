#!/bin/sh
# Several devices at once: an NVMe drive, a SATA drive (AHCI, MSI), an
# e1000e NIC and an ivshmem device with a large 64-bit BAR.
. /common.sh
loadmods
off=$(arg ptvm.marker_off)
for i in $(seq 100); do [ -b /dev/nvme0n1 ] && [ -b /dev/sda ] && [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
echo "PTVM-NVME $(dd if=/dev/nvme0n1 bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000")"
echo "PTVM-AHCI $(dd if=/dev/sda bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000")"
ip link set eth0 up
ip -6 addr add fe80::2/64 dev eth0 nodad
for i in $(seq 20); do ping -6 -c 2 -W 2 -I eth0 fe80::1 >/tmp/ping 2>&1 && break; sleep 1; done
sed -n 's/^/PTVM-PING /p' /tmp/ping | tail -n 2
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] || continue
	# no driver here, and no `enable`: ptvm left memory decoding on, as
	# firmware does (issue 11), so /dev/mem reaches the BAR as it is
	echo "PTVM-IVSHMEM command=$(od -An -tx2 -j 4 -N 2 $d/config | tr -d ' ')"
	bar2=$(sed -n 3p $d/resource | cut -d' ' -f1)
	echo "PTVM-IVSHMEM bar2=$bar2 size=$(($(sed -n 3p $d/resource | cut -d' ' -f2) - bar2 + 1))"
	echo "PTVM-IVSHMEM word0=$(devmem $bar2 32) wordlast=$(devmem $((bar2 + (1 << 30) - 4)) 32)"
done
dmesg | grep -E "BAR [0-9].*(assigned|failed|no space)" | sed 's/^/PTVM-REASSIGN /'
grep -E "nvme|ahci|eth0" /proc/interrupts | sed 's/^/PTVM-IRQ /'
finish
