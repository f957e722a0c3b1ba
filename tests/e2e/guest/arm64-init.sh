#!/bin/sh
# The arm64 guest of tests/e2e/arm64.t: one init for all its runs, each
# part asked for on the kernel command line, so that one guest does what
# x86's boot, nvme, net, multi and shutdown guests do apart.
#   always               CPUs, RAM, the PCI functions and the host bridge's
#                        ECAM as the guest found them
#   ptvm.nvme=MiB        /dev/nvme0n1: the marker at ptvm.marker_off, then
#                        8 MiB of random data at MiB, O_DIRECT both ways,
#                        compared
#   ptvm.reset=MiB       after ptvm.nvme: unbind the driver, read CC through
#                        /dev/mem, reset the function from sysfs (an FLR
#                        through ptvm), read CC again, bind the driver
#                        again and compare 4 MiB at MiB
#   ptvm.ahci=1          /dev/sda: the marker
#   ptvm.net=1           eth0 up as fe80::2, pings to L1's fe80::1
#   ptvm.once=MiB        a guest that reboots once: the first boot writes
#                        a token into the NVMe drive at MiB and reboots,
#                        the next one finds it and goes on
#   ptvm.button=listen|ignore|none
#                        the power button (gpio-keys on the PL061, found by
#                        its KEY_POWER capability): listen: wait for the
#                        press, write a record at ptvm.pressed_off MiB,
#                        power off; ignore: gpio_keys loaded, nobody
#                        reads; none: no gpio_keys module at all. Each
#                        says PTVM-READY and, but for listen, waits forever.
#   ptvm.end             as common.sh's finish (without ptvm.button)
. /common.sh
button=$(arg ptvm.button)
# Only the modules this run needs (each costs seconds here): drop the rest
# from modules.order; ptvm.button=none drops gpio_keys, the button driver.
drop() { for m; do sed -i "/^$m\.ko\$/d" /lib/modules/$(uname -r)/modules.order; done; }
[ -n "$(arg ptvm.nvme)$(arg ptvm.once)" ] || drop nvme-core nvme
[ -n "$(arg ptvm.ahci)" ] || drop scsi_common scsi_mod libata libahci ahci sd_mod
[ -n "$(arg ptvm.nvme)$(arg ptvm.once)$(arg ptvm.ahci)" ] ||
	drop crct10dif_common crct10dif-ce crct10dif_generic crc-t10dif crc64 crc64-rocksoft t10-pi
[ -n "$(arg ptvm.net)" ] || drop e1000e
case $button in
listen | ignore) ;;
none) drop gpio_keys ;;
*) drop gpio_keys evdev ;;
esac
# up: the guest's uptime, for the diagnostics
up() { echo "up=$(cut -d' ' -f1 /proc/uptime)"; }
echo "PTVM-START $(up)"
loadmods
echo "PTVM-MODULES $(up)"
echo "PTVM-INIT cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
echo "PTVM-MEM $(awk '/MemTotal/ {print $2}' /proc/meminfo)"
grep "System RAM" /proc/iomem | sed 's/^/PTVM-RAM /'
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] && echo "PTVM-PCI $(basename $d) $(cat $d/vendor):$(cat $d/device) class=$(cat $d/class)"
done
dmesg | grep -E "ECAM|pcie@|pci_bus 0000:00: root bus resource" | sed 's/^/PTVM-DMESG /'

nvme=/dev/nvme0n1
for i in $(seq 100); do
	{ [ -z "$(arg ptvm.nvme)$(arg ptvm.once)" ] || [ -b $nvme ]; } &&
		{ [ -z "$(arg ptvm.ahci)" ] || [ -b /dev/sda ]; } &&
		{ [ -z "$(arg ptvm.net)" ] || [ -e /sys/class/net/eth0 ]; } && break
	sleep 0.2
done
# rd DEV BYTES: the text at the start of DEV's 4 KiB block at BYTES
rd() { dd if=$1 bs=4096 skip=$(($2 / 4096)) count=1 iflag=direct 2>/dev/null | head -c 64 | tr -d "\000"; }
# blk MiB: the NVMe drive's text at MiB
blk() { rd $nvme $(($1 << 20)); }
# put MiB TEXT: TEXT into the 4 KiB block at MiB, on the medium when it returns
put() {
	printf '%s' "$2" | dd of=/tmp/blk bs=4096 conv=sync 2>/dev/null
	dd if=/tmp/blk of=$nvme bs=4096 seek=$(($1 * 256)) count=1 oflag=direct conv=fsync,notrunc 2>/dev/null
}

once=$(arg ptvm.once)
if [ -n "$once" ]; then
	if [ "$(blk $once)" = PTVM-BOOTED-ONCE ]; then
		echo "PTVM-AGAIN the token from the first boot is there"
	else
		put $once PTVM-BOOTED-ONCE
		echo "PTVM-ONCE wrote the token: $(blk $once)"
		echo PTVM-REBOOTING
		reboot -f
	fi
fi

rw=$(arg ptvm.nvme)
if [ -n "$rw" ]; then
	echo "PTVM-MARKER $(rd $nvme $(arg ptvm.marker_off))"
	dd if=/dev/urandom of=/tmp/w bs=1M count=8 2>/dev/null
	dd if=/tmp/w of=$nvme bs=1M seek=$rw count=8 oflag=direct conv=fsync 2>/dev/null
	dd if=$nvme of=/tmp/r bs=1M skip=$rw count=8 iflag=direct 2>/dev/null
	if cmp -s /tmp/w /tmp/r; then echo "PTVM-RW-OK $(md5sum </tmp/w | cut -c1-32) $(up)"; else echo "PTVM-RW-BAD $(up)"; fi
	rm -f /tmp/w /tmp/r
fi
rs=$(arg ptvm.reset)
if [ -n "$rw" ] && [ -n "$rs" ]; then
	for d in /sys/bus/pci/devices/*; do [ "$(cat $d/class)" = 0x010802 ] && break; done
	f=${d##*/}
	bar0=$(head -n 1 $d/resource | cut -d' ' -f1)
	echo $f >/sys/bus/pci/drivers/nvme/unbind
	cc0=$(devmem $((bar0 + 0x14)) 32)
	echo 1 >$d/reset
	rc=$?
	echo "PTVM-RESET $f method=$(cat $d/reset_method) rc=$rc cc_before=$cc0 cc_after=$(devmem $((bar0 + 0x14)) 32) $(up)"
	echo $f >/sys/bus/pci/drivers/nvme/bind
	for i in $(seq 100); do [ -b $nvme ] && break; sleep 0.2; done
	dd if=/dev/urandom of=/tmp/w bs=1M count=4 2>/dev/null
	dd if=/tmp/w of=$nvme bs=1M seek=$rs count=4 oflag=direct conv=fsync 2>/dev/null
	dd if=$nvme of=/tmp/r bs=1M skip=$rs count=4 iflag=direct 2>/dev/null
	if cmp -s /tmp/w /tmp/r; then echo "PTVM-RW-AFTER-OK $(md5sum </tmp/w | cut -c1-32)"; else echo PTVM-RW-AFTER-BAD; fi
fi
if [ -n "$(arg ptvm.ahci)" ]; then
	echo "PTVM-AHCI $(rd /dev/sda $(arg ptvm.marker_off))"
fi
if [ -n "$(arg ptvm.net)" ]; then
	echo "PTVM-NET driver=$(basename $(readlink /sys/class/net/eth0/device/driver)) mac=$(cat /sys/class/net/eth0/address)"
	ip link set eth0 up
	ip -6 addr add fe80::2/64 dev eth0 nodad
	for i in $(seq 50); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.2; done
	echo "PTVM-LINK carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null) $(up)"
	for i in $(seq 20); do ping -6 -c 3 -W 2 -I eth0 fe80::1 >/tmp/ping 2>&1 && break; sleep 1; done
	sed 's/^/PTVM-PING /' /tmp/ping
	echo "PTVM-PINGED $(up)"
	echo "PTVM-IRQMODE $(cat /sys/class/net/eth0/device/msi_irqs/* 2>/dev/null | sort -u | tr '\n' ' ')"
fi
[ -n "$rw$(arg ptvm.ahci)$(arg ptvm.net)" ] &&
	grep -E "nvme|ahci|eth0" /proc/interrupts | sed 's/^/PTVM-IRQ /'

[ -n "$button" ] || finish
# The power button: the input device whose key capability has KEY_POWER
# (116: bit 52 of the second long of the bitmap, which sysfs prints most
# significant long first), gpio-keys on arm64.
ev=
for e in /sys/class/input/event*; do
	[ -e "$e" ] || continue
	set -- $(cat $e/device/capabilities/key)
	[ $# -ge 2 ] || continue
	eval w=\${$(($# - 1))}
	[ $(((0x$w >> 52) & 1)) = 1 ] && ev=/dev/input/${e##*/} name=$(cat $e/device/name)
done
echo "PTVM-BUTTON ${ev:-none} ${name:-}"
echo "PTVM-GPIO-IRQ $(grep -i gpio /proc/interrupts | tr -s ' ' | head -n 3 | tr '\n' '|')"
if [ "$button" = listen ] && [ -n "$ev" ]; then
	exec 3<$ev
	echo "PTVM-READY $(up)"
	# struct input_event on arm64: 16 bytes of time, type, code (u16),
	# value (s32): wait for EV_KEY (1) KEY_POWER (116) down (1)
	while :; do
		set -- $(dd bs=24 count=1 <&3 2>/dev/null | od -An -tu2 -j 16 -N 6)
		[ "$1 $2 $3" = "1 116 1" ] && break
	done
	echo "PTVM-PRESSED KEY_POWER"
	grep "GPIO Key" /proc/interrupts | sed 's/^/PTVM-IRQ /'
	put $(arg ptvm.pressed_off) PTVM-PRESSED-AND-WROTE
	echo "PTVM-WROTE $(blk $(arg ptvm.pressed_off))"
	poweroff -f
fi
echo "PTVM-READY $(up)"
while :; do sleep 1; done
