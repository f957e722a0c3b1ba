#!/bin/sh
# NIC check: the driver binds, the link comes up, and IPv6 link-local pings
# reach L1's NIC on the same QEMU hub (fe80::1; we are fe80::2).
. /common.sh
loadmods
for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
if [ "$(arg ptvm.linkdown)" = 1 ]; then
	# A device that cannot move data here: report what the driver read.
	echo "PTVM-NET driver=$(basename $(readlink /sys/class/net/eth0/device/driver)) mac=$(cat /sys/class/net/eth0/address)"
	grep -E "virtio|MSI" /proc/interrupts | sed 's/^/PTVM-IRQ /'
	finish
fi
[ -e /sys/class/net/eth0 ] || { echo "PTVM-NET no eth0"; dmesg | tail -20; finish; }
echo "PTVM-NET driver=$(basename $(readlink /sys/class/net/eth0/device/driver)) mac=$(cat /sys/class/net/eth0/address)"
ip link set eth0 up
ip -6 addr add fe80::2/64 dev eth0 nodad
for i in $(seq 50); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; sleep 0.2; done
echo "PTVM-LINK carrier=$(cat /sys/class/net/eth0/carrier 2>/dev/null)"
# L1 answers once its side is up; retry for a while.
for i in $(seq 20); do
	if ping -6 -c 3 -W 2 -I eth0 fe80::1 >/tmp/ping 2>&1; then break; fi
	sleep 1
done
sed 's/^/PTVM-PING /' /tmp/ping
grep -E "eth0|MSI|IO-APIC" /proc/interrupts | sed 's/^/PTVM-IRQ /'
# which interrupt mode the driver ended up with: msi, msix, or none (INTx)
# (virtio-net's device is the virtio bus device: its PCI function is the parent)
d=$(readlink -f /sys/class/net/eth0/device)
[ -e "$d/msi_irqs" ] || [ -e "$d/class" ] || d=$(dirname "$d")
echo "PTVM-IRQMODE $(cat $d/msi_irqs/* 2>/dev/null | sort -u | tr '\n' ' ')"
finish
