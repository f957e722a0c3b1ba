#!/bin/sh
# Hostile guest: no driver is loaded, so the passthrough devices are quiet;
# /bin/hostile attacks each of them from inside (config space, MSI-X table
# and PBA, BAR placement, MSI with MSI-X), then the guest powers off.
. /common.sh
bdfs=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/class)" = 0x060000 ] && continue # ptvm's host bridge
	bdfs="$bdfs ${d##*/}"
done
echo "PTVM-HOSTILE devices:$bdfs"
before=$(dmesg | wc -l)
seed=$(arg ptvm.seed) rounds=$(arg ptvm.rounds) phases=$(arg ptvm.phases)
/bin/hostile -s "${seed:-$RANDOM}" -r "${rounds:-4}" ${phases:+-p $phases} $bdfs
echo "PTVM-HOSTILE exit=$?"
# what the guest kernel said about it
dmesg | tail -n +$((before + 1)) | tail -n 20 | sed 's/^/PTVM-DMESG /'
finish
