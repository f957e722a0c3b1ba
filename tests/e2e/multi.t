#!/usr/bin/env bash
# Four devices at once (NVMe, AHCI on MSI, e1000e, ivshmem with a 1 GiB
# 64-bit BAR) all working in one guest, once per guest kernel
# (PTVM_GUEST_KVERS). rerun.t runs the same devices again and again.
# nested-shared: -d nvme:build/e2e/multi-nvme.img -d ahci:build/e2e/multi-ahci.img -d e1000e -d ivshmem:1024:build/e2e/multi-ivshmem
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan $((9 * $(echo $PTVM_GUEST_KVERS | wc -w)))
	scripts/guest-initrd build/e2e/multi.cpio.gz tests/e2e/guest/multi-init.sh \
		nvme ahci sd_mod e1000e -- tests/e2e/guest/common.sh:common.sh
	out=$(mktemp -d)
	blank_image build/e2e/multi-nvme.img 64M
	blank_image build/e2e/multi-ahci.img 64M
	put_marker build/e2e/multi-nvme.img nvme-$RANDOM
	put_marker build/e2e/multi-ahci.img ahci-$RANDOM
	# What L1 puts in the shared memory behind the ivshmem BAR (in place:
	# a shared L1's QEMU maps this file).
	shm=build/e2e/multi-ivshmem
	truncate -s 1G $shm
	w0=$(printf '%08X' $((RANDOM << 16 | RANDOM)))
	printf "\\x${w0:6:2}\\x${w0:4:2}\\x${w0:2:2}\\x${w0:0:2}" | dd of=$shm conv=notrunc 2>/dev/null
	printf 'PTVM' | dd of=$shm bs=1 seek=$(((1 << 30) - 4)) conv=notrunc 2>/dev/null
	echo "$w0" >$out/w0
	scripts/nested -t 1200 -o $out -d nvme:build/e2e/multi-nvme.img -d ahci:build/e2e/multi-ahci.img \
		-d e1000e -d ivshmem:1024:$shm -- bash tests/e2e/multi.t --in-l1 || echo "# nested: exit $?"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
l1_peer_up
devs=()
for b in $BDFS; do devs+=(--device $b); done
w0=$(cat $OUT/w0)
for k in $PTVM_GUEST_KVERS; do
	log=$OUT/multi-$k.log
	timeout -k 60 300 build/ptvm --kernel $(kernel_image $k) --initrd build/e2e/multi.cpio.gz --mem 1G --cpus 2 "${devs[@]}" \
		--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off" </dev/null >$log 2>&1
	rc=$?
	tap_check "$k: four devices: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	tap_check "$k: NVMe: marker read" grep -qa "PTVM-NVME nvme-[0-9]" $log
	tap_check "$k: AHCI: marker read" grep -qa "PTVM-AHCI ahci-[0-9]" $log
	tap_check "$k: AHCI: interrupts on PCI-MSI" grep -qaE "PTVM-IRQ .*PCI-MSI.*ahci" $log
	tap_check "$k: e1000e: link-local ping answered" grep -qa "PTVM-PING .* 0% packet loss" $log
	tap_check "$k: ivshmem: the 1 GiB BAR sits above 4 GiB" \
		grep -qaE "PTVM-IVSHMEM bar2=0x0*[1-9a-f][0-9a-f]{8} size=1073741824" $log
	tap_check "$k: ivshmem: the guest reads what L1 wrote, first and last word (0x$w0), through /dev/mem without a driver or \`enable\`" \
		grep -qaE "PTVM-IVSHMEM word0=0x$w0 wordlast=0x4D565450" $log
	cmd=$(sed -n 's/.*PTVM-IVSHMEM command=\([0-9a-f]*\).*/\1/p' $log | tr -d '\r' | head -n 1)
	tap_check "$k: ivshmem: memory decoding was on from the start, bus mastering off (command ${cmd:-?})" \
		sh -c "[ -n '$cmd' ] && [ \$((0x$cmd & 6)) = 2 ]"
	tap_check "$k: Linux kept ptvm's BAR assignments (no reassignment)" sh -c "! grep -qa PTVM-REASSIGN $log"
	grep -aE "PTVM-|ptvm:" $log | tap_diag
done
