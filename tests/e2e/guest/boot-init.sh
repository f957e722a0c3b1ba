#!/bin/sh
. /common.sh
echo "PTVM-INIT cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
echo "PTVM-MEM $(awk '/MemTotal/ {print $2}' /proc/meminfo)"
dmesg | grep -E "BIOS-e820" | sed 's/^/PTVM-E820 /'
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] && echo "PTVM-PCI $(basename $d) $(cat $d/vendor):$(cat $d/device) class=$(cat $d/class)"
done
dmesg | grep -E "MMCONFIG|ECAM|Checking aperture" | sed 's/^/PTVM-DMESG /'
finish
