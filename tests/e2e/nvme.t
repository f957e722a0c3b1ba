#!/usr/bin/env bash
# NVMe passthrough: a QEMU nvme drive in L1, bound to vfio-pci, passed to
# the guest by ptvm, once per guest kernel (PTVM_GUEST_KVERS). The guest
# reads a marker the test wrote, writes 8 MiB of random data with O_DIRECT,
# reads it back and compares; the host checks the same bytes in the image;
# the nvme queues count interrupts on MSI-X. Each kernel's MSI-X run writes
# its own 8 MiB (at 16, 24, 32 MiB: up to three kernels), the INTx runs at 0.
# nested-shared: -d nvme:build/e2e/nvme.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan $((12 * $(echo $PTVM_GUEST_KVERS | wc -w)))
	scripts/guest-initrd build/e2e/nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/nvme.img
	blank_image $img 64M
	marker="ptvm-marker-$RANDOM$RANDOM"
	put_marker $img "$marker"
	out=$(mktemp -d)
	scripts/nested -t 1200 -o "$out" -d nvme:$img -- bash tests/e2e/nvme.t --in-l1 || echo "# nested: exit $?"
	j=0
	for k in $PTVM_GUEST_KVERS; do
		got=$(grep -a PTVM-MARKER "$out/nvme-$k.log" | tr -d '\r' | awk '{print $2}')
		tap_check "$k: the guest read the marker the test wrote into the image" [ "$got" = "$marker" ]
		sum=$(grep -a PTVM-RW-OK "$out/nvme-$k.log" | tr -d '\r' | awk '{print $2}')
		host=$(dd if=$img bs=1M skip=$((16 + 8 * j)) count=8 2>/dev/null | md5sum | cut -c1-32)
		tap_check "$k: the image holds the 8 MiB the guest wrote (md5 $host)" sh -c "[ -n '$sum' ] && [ '$sum' = '$host' ]"
		j=$((j + 1))
	done
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
bdf=${BDFS%% *}
j=0
for k in $PTVM_GUEST_KVERS; do
	kernel=$(kernel_image $k)
	log=$OUT/nvme-$k.log
	timeout -k 60 200 build/ptvm --kernel "$kernel" --initrd build/e2e/nvme.cpio.gz --mem 512M --cpus 2 \
		--device "$bdf" --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off ptvm.rw_off=$((16 + 8 * j))" \
		</dev/null >$log 2>&1
	rc=$?
	tap_check "$k: ptvm --device $bdf: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	tap_check "$k: the guest found the drive" grep -qa "PTVM-MARKER" $log
	tap_check "$k: 8 MiB written and read back with O_DIRECT compare equal" grep -qa "PTVM-RW-OK" $log
	tap_check "$k: nvme queues count interrupts on PCI-MSI(-X) vectors" \
		awk '/PTVM-IRQ/ && /MSI/ && /nvme/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s > 0) }' $log
	tap_check "$k: the guest saw more than one nvme queue vector" \
		[ "$(grep -a PTVM-IRQ $log | grep -c nvme)" -ge 2 ]
	grep -aE "PTVM-|nvme|rror|ptvm:" $log | head -40 | tap_diag
	[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }
	# INTx only: the guest is booted with pci=nomsi.
	log=$OUT/nvme-intx-$k.log
	timeout -k 60 200 build/ptvm --kernel "$kernel" --initrd build/e2e/nvme.cpio.gz --mem 512M \
		--device "$bdf" --cmdline "console=ttyS0 quiet panic=-1 pci=nomsi ptvm.marker_off=$marker_off ptvm.rw_off=0" \
		</dev/null >$log 2>&1
	rc=$?
	tap_check "$k: pci=nomsi: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	tap_check "$k: pci=nomsi: 8 MiB written and read back compare equal" grep -qa "PTVM-RW-OK" $log
	tap_check "$k: pci=nomsi: nvme interrupts count on an IO-APIC line" \
		awk '/PTVM-IRQ/ && /IO-APIC/ && /nvme/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s > 0) }' $log
	grep -aE "PTVM-IRQ|ptvm:" $log | tap_diag
	[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }

	# the device is back on vfio-pci, and free for the next user
	tap_check "$k: the device is still bound to vfio-pci after ptvm exits" \
		[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ]
	tap_check "$k: no ptvm process left" sh -c "! pgrep -x ptvm"
	j=$((j + 1))
done
