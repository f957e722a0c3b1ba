#!/bin/sh
# The device sweep: every passed-through PCI function, in slot order, is
# named by ptvm.sweep=KIND:MODEL,... on the command line. Each gets one
# check that makes its driver do something, and one line:
#   PTVM-SWEEP MODEL ok|FAIL drv=DRIVER irq=MODE:COUNT WHAT-WAS-SEEN
# MODE is msix, msi or intx; COUNT sums that device's lines in
# /proc/interrupts. ptvm.vmm=NAME goes into what the guest writes to disks.
. /common.sh
loadmods
vmm=$(arg ptvm.vmm)
end=$(($(cut -d. -f1 /proc/uptime) + 40)) # the slowest device has until then

# PCI functions in slot order, the host bridge left out
bdfs=$(for d in /sys/bus/pci/devices/*; do
	case $(cat $d/class) in 0x0600*) ;; *) basename $d ;; esac
done | sort)

# waitfor CMD...: retries CMD until it succeeds or the deadline passes
waitfor() {
	while ! "$@" 2>/dev/null; do
		[ "$(cut -d. -f1 /proc/uptime)" -ge $end ] && return 1
		sleep 0.3
	done
}
# under DIR BDF: the entries of DIR whose sysfs path runs through BDF
under() {
	for e in $1/*; do
		case $(readlink -f $e) in */$2/*) basename $e ;; esac
	done
}
has() { [ -n "$(under "$@")" ]; }
irqinfo() { # irqinfo BDF: MODE:COUNT
	local d=/sys/bus/pci/devices/$1 mode=intx irqs
	if [ -d $d/msi_irqs ] && [ -n "$(ls $d/msi_irqs)" ]; then
		irqs=$(ls $d/msi_irqs)
		mode=$(cat $d/msi_irqs/* | sort -u | head -n 1)
	else
		irqs=$(cat $d/irq)
	fi
	echo "$mode:$(for i in $irqs; do
		awk -v n="$i:" '$1 == n { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i } END { print s + 0 }' /proc/interrupts
	done | awk '{ s += $1 } END { print s + 0 }')"
}

# disk BDF MODEL: reads the marker at 1 MiB, writes a word at 2 MiB and
# reads it back, both O_DIRECT
check_disk() {
	waitfor has /sys/block $1 || { echo "no disk"; return 1; }
	local b=$(under /sys/block $1 | head -n 1) w="wrote-$2-$vmm-$RANDOM$RANDOM"
	waitfor [ "$(cat /sys/block/$b/size)" -gt 8192 ]
	local m=$(dd if=/dev/$b bs=4096 skip=256 count=1 iflag=direct 2>/dev/null | head -c 40 | tr -d '\000')
	printf '%-512s' "$w" | dd of=/dev/$b bs=512 seek=4096 oflag=direct conv=notrunc 2>/dev/null
	local r=$(dd if=/dev/$b bs=512 skip=4096 count=1 iflag=direct 2>/dev/null | tr -d ' \000')
	echo "$b marker=$m wrote=$w read=$r"
	[ "${m#sweep-}" != "$m" ] && [ "$r" = "$w" ]
}
check_net() { # a ping to L1 (fe80::1) from the link-local address the kernel gives the NIC
	waitfor has /sys/class/net $1 || { echo "no interface"; return 1; }
	local n=$(under /sys/class/net $1 | head -n 1)
	ip link set $n up
	local ok=0
	for i in $(seq 15); do
		ping -6 -c 2 -W 2 -I $n fe80::1 >/tmp/ping.$n 2>&1 && { ok=1; break; }
		sleep 1
	done
	echo "$n $(grep -o '[0-9]* packets received' /tmp/ping.$n)"
	[ $ok = 1 ]
}
check_usb() { # a device that is not a root hub enumerated behind BDF
	waitfor usbdev $1 || { echo "no USB device"; return 1; }
	local u=$(usbdev $1)
	echo "$(cat /sys/bus/usb/devices/$u/idVendor):$(cat /sys/bus/usb/devices/$u/idProduct) '$(cat /sys/bus/usb/devices/$u/product)'"
}
usbdev() {
	for u in $(under /sys/bus/usb/devices $1); do
		[ -e /sys/bus/usb/devices/$u/idVendor ] && [ "$(cat /sys/bus/usb/devices/$u/idVendor)" != 1d6b ] &&
			{ echo $u; return 0; }
	done
	return 1
}
check_usbdisk() { check_usb $1 && check_disk "$@"; }
check_snd() { # a sound card, and its AC'97 codec when it has one
	waitfor has /sys/class/sound $1 || { echo "no card"; return 1; }
	local c=$(under /sys/class/sound $1 | grep '^card' | head -n 1)
	local n=${c#card}
	echo "$(sed -n "s/^ *$n \[\(.*\)\]: /\1 /p" /proc/asound/cards | head -n 1)" \
		"$(head -n 1 /proc/asound/$c/codec97#0/ac97#0-0 2>/dev/null)"
	[ -n "$c" ]
}
check_wdt() { # the watchdog probes, is started, pinged and stopped (magic close)
	# (i6300esb registers its watchdog without a parent device)
	waitfor [ -e /sys/bus/pci/devices/$1/driver ] && waitfor ls /sys/class/watchdog/watchdog0 >/dev/null ||
		{ echo "no watchdog"; return 1; }
	local w=$(under /sys/class/watchdog $1 | head -n 1) lock=
	[ -n "$w" ] || [ "$(ls /sys/class/watchdog | wc -l)" != 1 ] || w=watchdog0
	exec 3>/dev/$w || { echo "$w: open failed"; return 1; }
	printf p >&3 || { echo "$w: ping failed"; return 1; }
	# the i6300ESB's timer enable bit, in its config space (lock register, 0x68)
	[ "$(cat /sys/bus/pci/devices/$1/device)" = 0x25ab ] &&
		lock=$(dd if=/sys/bus/pci/devices/$1/config bs=1 skip=104 count=1 2>/dev/null | od -An -tx1 | tr -d ' ')
	printf V >&3
	exec 3>&-
	echo "$w '$(cat /sys/class/watchdog/$w/identity)' timeout=$(cat /sys/class/watchdog/$w/timeout) pinged${lock:+ lock=0x$lock}"
	[ -z "$lock" ] || [ $((0x$lock & 2)) = 2 ]
}
check_tty() { # 4 KiB out of the UART: the 8250 driver's transmit count
	waitfor has /sys/class/tty $1 || { echo "no port"; return 1; }
	local t=$(under /sys/class/tty $1 | head -n 1)
	stty -F /dev/$t raw -echo 115200
	head -c 4096 /dev/zero >/dev/$t
	local tx=$(sed -n "s/^${t#ttyS}: .* tx:\([0-9]*\) .*/\1/p" /proc/tty/driver/serial)
	echo "$t tx=$tx"
	[ "$tx" -ge 4096 ]
}
check_pvpanic() { # the driver read the events the device supports
	waitfor [ -e /sys/bus/pci/devices/$1/capability ] || { echo "no capability"; return 1; }
	echo "capability='$(cat /sys/bus/pci/devices/$1/capability)'"
	[ -n "$(cat /sys/bus/pci/devices/$1/capability)" ]
}
check_rng() { # bytes out of /dev/hwrng from the virtio device
	waitfor grep -q virtio /sys/class/misc/hw_random/rng_current || { echo "no virtio rng"; return 1; }
	local n=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)
	echo "$(cat /sys/class/misc/hw_random/rng_current) read=$n"
	[ "$n" = 64 ]
}
check_edu() { # identity and liveness registers, one interrupt raised and counted
	local d=/sys/bus/pci/devices/$1
	echo 1234 11e8 >/sys/bus/pci/drivers/uio_pci_generic/new_id
	waitfor [ -e $d/driver ]
	local b=$(cut -d' ' -f1 $d/resource | head -n 1)
	local id=$(devmem $b 32)
	devmem $((b + 4)) 32 0x12345678
	local live=$(devmem $((b + 4)) 32)
	local i0=$(irqinfo $1)
	devmem $((b + 0x60)) 32 1
	waitfor [ "$(irqinfo $1)" != "$i0" ]
	echo "id=$id liveness=$live irq $i0 -> $(irqinfo $1)"
	devmem $((b + 0x64)) 32 1
	[ "$id" = 0x010000ED ] && [ "$live" = 0xEDCBA987 ] && [ "$(irqinfo $1)" != "$i0" ]
}
check_ivshmem() { # a word written into the shared-memory BAR reads back
	local d=/sys/bus/pci/devices/$1
	echo 1 >$d/enable
	local b=$(sed -n 3p $d/resource | cut -d' ' -f1)
	devmem $b 32 0x5A5AA5A5
	local r=$(devmem $b 32)
	echo "bar2=$b read=$r"
	[ "$r" = 0x5A5AA5A5 ]
}
check_fb() { # a DRM card with its framebuffer: 64 KiB written and read back
	waitfor has /sys/class/graphics $1 || { echo "no framebuffer"; return 1; }
	local f=$(under /sys/class/graphics $1 | grep '^fb' | head -n 1)
	# the text console draws on the framebuffer (its cursor blinks at
	# the top left): take it off first
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q "frame buffer" $v/name 2>/dev/null && echo 0 >$v/bind 2>/dev/null
	done
	# the checks run side by side: files of this card's own
	head -c 65536 /dev/urandom >/tmp/$f.in
	dd if=/tmp/$f.in of=/dev/$f bs=4096 2>/dev/null
	dd if=/dev/$f of=/tmp/$f.out bs=4096 count=16 2>/dev/null
	echo "$f '$(cat /sys/class/graphics/$f/name)' $(cat /sys/class/graphics/$f/virtual_size)"
	cmp -s /tmp/$f.in /tmp/$f.out
}
check_ipmi() { # the BMC answered Get Device ID over the interface
	waitfor ls /sys/bus/pci/devices/$1/bmc/ipmi_version >/dev/null || waitfor ls /sys/class/ipmi/ipmi0 >/dev/null ||
		{ echo "no BMC"; return 1; }
	local v=$(cat /sys/bus/pci/devices/$1/bmc/ipmi_version 2>/dev/null || cat /sys/devices/platform/ipmi_bmc*/ipmi_version 2>/dev/null)
	echo "ipmi_version=$v"
	[ -n "$v" ]
}
check_input() { # an input device named by the device's config space
	waitfor has /sys/class/input $1 || { echo "no input device"; return 1; }
	local i=$(under /sys/class/input $1 | grep '^input' | head -n 1)
	echo "$i '$(cat /sys/class/input/$i/name)'"
}
check_probe() { # the driver bound (nothing more to ask of it here)
	waitfor [ -e /sys/bus/pci/devices/$1/driver ]
}

names=$(arg ptvm.sweep | tr , ' ')
idx=0
# every check at once (pings and probes wait in parallel), each into its file
for bdf in $bdfs; do
	set -- $names
	if [ $# = 0 ]; then
		echo "PTVM-SWEEP-EXTRA $bdf $(cat /sys/bus/pci/devices/$bdf/vendor):$(cat /sys/bus/pci/devices/$bdf/device)"
		continue
	fi
	kind=${1%%:*} model=${1#*:}
	shift
	names=$*
	idx=$((idx + 1))
	(
		o=$(check_$kind $bdf $model 2>&1 </dev/null)
		rc=$?
		drv=$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)" 2>/dev/null)
		[ -n "$drv" ] || [ $kind = ivshmem ] || rc=1 # ivshmem has no driver
		[ $rc = 0 ] && r=ok || r=FAIL
		echo "PTVM-SWEEP $model $r drv=${drv:-none} irq=$(irqinfo $bdf) $(echo $o | tr '\n' ' ')" >/tmp/res.$(printf %02d $idx)
	) &
done
wait
cat /tmp/res.* 2>/dev/null
for m in $names; do echo "PTVM-SWEEP ${m#*:} FAIL no PCI function for it"; done
{
	dmesg | grep -iE "error|timed out|fail" | grep -v "firmware load"
	dmesg | grep -B6 -iE "BUG:|Oops|Call Trace"
} | head -n 40 | sed 's/^/PTVM-DMESG /'
finish
