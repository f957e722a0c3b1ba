#!/bin/sh
. /common.sh
echo "PTVM-INIT cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
for d in /sys/bus/pci/devices/*; do
	[ -e "$d" ] && echo "PTVM-PCI $(basename $d) $(cat $d/vendor):$(cat $d/device) class=$(cat $d/class)"
done
dmesg | grep -E "MMCONFIG|ECAM" | sed 's/^/PTVM-DMESG /'
finish
