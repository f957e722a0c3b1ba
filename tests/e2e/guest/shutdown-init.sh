#!/bin/sh
# Shutdown on the ACPI power button.
# ptvm.button=listen: mount the ext4 filesystem on the passed-through NVMe
# drive and keep appending numbered records to a file; on the power
# button's key event, stop the writer, report the last record, unmount and
# power off (what acpid would do).
# ptvm.button=ignore: the button driver is loaded, nobody listens.
# ptvm.button=none: no button driver at all.
. /common.sh
mode=$(arg ptvm.button)
[ "$mode" = none ] && sed -i '/^button\.ko$/d' /lib/modules/$(uname -r)/modules.order
loadmods
for i in $(seq 100); do [ -b /dev/nvme0n1 ] && break; sleep 0.2; done
# Only the listening guest writes: the host checks the filesystem it left.
if [ "$mode" = listen ]; then
	mkdir -p /mnt
	mount -t ext4 /dev/nvme0n1 /mnt || { echo "PTVM-MOUNT-FAILED"; dmesg | tail -20; finish; }
	writer() {
		i=0
		while :; do
			i=$((i + 1))
			echo "record $i" >>/mnt/log
		done
	}
	writer &
	wpid=$!
fi
ev=
for e in /sys/class/input/event*; do
	[ "$(cat $e/device/name 2>/dev/null)" = "Power Button" ] && ev=/dev/input/${e##*/}
done
echo "PTVM-BUTTON ${ev:-none}"
echo "PTVM-READY"
if [ "$mode" = listen ] && [ -n "$ev" ]; then
	dd if=$ev of=/dev/null bs=24 count=1 2>/dev/null
	kill $wpid
	wait $wpid 2>/dev/null
	echo "PTVM-PRESSED"
	echo "PTVM-LAST $(tail -n 1 /mnt/log)"
	umount /mnt && echo PTVM-UMOUNTED
	poweroff -f
fi
while :; do sleep 1; done
