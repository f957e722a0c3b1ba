#!/bin/sh
# NIC check: the driver binds, the link comes up, and IPv6 link-local pings
# reach L1's NIC on the same QEMU hub (fe80::1; we are fe80::2).
. /common.sh
loadmods
for i in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.2; done
[ -e /sys/class/net/eth0 ] || { echo "PTVM-NET no eth0"; dmesg | tail -20; finish; }
echo "PTVM-NET driver=$(basename $(readlink /sys/class/net/eth0/device/driver))"
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
finish
