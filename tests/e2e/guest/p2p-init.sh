#!/bin/sh
# Peer-to-peer DMA and firmware parity. An LSI 53c895a with a disk (the
# chip fetches its SCRIPTS from its own RAM BAR), an ivshmem BAR read with
# no driver and no `enable` (firmware left it decoding), and an NVMe
# controller driven from user space with its queues and data in the
# ivshmem BAR (bin/p2pnvme).
. /common.sh
# ivshmem first, before anything in this guest touched its command register
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x1af4:0x1110 ] || continue
	ivsh=$d
	bar2=$(sed -n 3p $d/resource | cut -d' ' -f1)
	echo "PTVM-IVSHMEM bar2=$bar2 cmd=0x$(dd if=$d/config bs=1 skip=4 count=2 2>/dev/null | od -An -tx2 | tr -d ' ') enable=$(cat $d/enable)"
	echo "PTVM-IVSHMEM word=$(devmem $((bar2 + $(arg ptvm.ivsh_off))) 32) wordlast=$(devmem $((bar2 + (1 << 30) - 4)) 32)"
done
loadmods
off=$(arg ptvm.marker_off)
for i in $(seq 150); do [ -b /dev/sda ] && break; sleep 0.2; done
echo "PTVM-LSI disks: $(ls /sys/block | tr '\n' ' ')"
echo "PTVM-LSI read $(dd if=/dev/sda bs=4096 skip=$((off / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d '\000')"
back=$(arg ptvm.lsi_back)
printf '%s' "$(arg ptvm.lsi_token)" >/tmp/w
dd if=/tmp/w of=/dev/sda bs=4096 seek=$((back / 4096)) count=1 conv=sync,fsync oflag=direct 2>/dev/null
echo "PTVM-LSI back $(dd if=/dev/sda bs=4096 skip=$((back / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d '\000')"
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x010802 ] && nvme=$d
done
if [ -n "${nvme:-}" ] && [ -n "${ivsh:-}" ]; then
	timeout 120 /bin/p2pnvme $nvme $ivsh $(arg ptvm.p2p_rlba) $(arg ptvm.p2p_wlba)
fi
dmesg | grep -iE "sym0|scsi|sd 0" | head -n 20 | sed 's/^/PTVM-DMESG /'
finish
