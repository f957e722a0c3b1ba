#!/usr/bin/env bash
# Peer-to-peer DMA: one device DMA-ing into another device's BAR. An NVMe
# controller, driven from guest user space (tests/e2e/guest/p2pnvme.c, no
# driver bound), has its queues, identify data and data buffers in an
# ivshmem device's 64-bit BAR: it reads a marker from its disk into that
# BAR and writes the BAR's bytes back to its disk. Both are checked on the
# host, in ivshmem's backing file and in the disk image. (An LSI 53c895a
# DMA-ing from its own BAR is in sweep.t; the driverless ivshmem BAR read
# through /dev/mem is in multi.t.) P2P_QEMU=1 runs the same guest under
# QEMU's own vfio-pci in L1 first, as the reference (not in the suite).
# nested-shared: -d nvme:build/e2e/p2p-nvme.img -d ivshmem:1:build/e2e/p2p-ivshmem
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

img=build/e2e/p2p-nvme.img shm=build/e2e/p2p-ivshmem
rlba=8192 wlba=16384                         # 512-byte blocks of the drive
ident=$((0x8000)) rd=$((0x10000)) wr=$((0x20000)) # p2pnvme's layout in the BAR
# at FILE OFFSET: up to 64 bytes there, NULs dropped
at() { dd if=$1 bs=1 skip=$2 count=64 2>/dev/null | tr -d '\000'; }
if [ "${1:-}" != --in-l1 ]; then
	tap_plan 12
	scripts/guest-initrd build/e2e/p2p.cpio.gz tests/e2e/guest/p2p-init.sh \
		-- tests/e2e/guest/common.sh:common.sh build/tests/guest-p2pnvme:bin/p2pnvme
	out=$(mktemp -d)
	blank_image $img 64M
	marker=nvme-marker-$RANDOM$RANDOM token=from-the-bar-$RANDOM$RANDOM
	printf %s $marker | dd of=$img bs=1 seek=$((rlba * 512)) conv=notrunc 2>/dev/null
	# the reference (P2P_QEMU=1) reads and writes 8 blocks further on, so
	# that what it leaves in the BAR is not taken for ptvm's result
	printf %s qemu-$marker | dd of=$img bs=1 seek=$(((rlba + 8) * 512)) conv=notrunc 2>/dev/null
	# The BAR's memory, on the host: the write source holds the token,
	# the read target and the identify page are cleared (in place: a
	# shared L1's QEMU maps this file).
	[ "$(stat -c %s $shm 2>/dev/null)" = $((1 << 20)) ] || { : >$shm; truncate -s 1M $shm; }
	dd if=/dev/zero of=$shm bs=4096 seek=$((ident / 4096)) count=$(((wr - ident) / 4096)) conv=notrunc 2>/dev/null
	dd if=/dev/zero of=$shm bs=4096 seek=$((wr / 4096)) count=1 conv=notrunc 2>/dev/null
	printf %s $token | dd of=$shm bs=1 seek=$wr conv=notrunc 2>/dev/null
	scripts/nested -t 900 -o $out -d nvme:$img -d ivshmem:1:$shm \
		-- env P2P_QEMU=${P2P_QEMU:-0} bash tests/e2e/p2p.t --in-l1 || echo "# nested: exit $?"
	got=$(at $shm $rd)
	tap_check "the NVMe drive read its disk's marker into the ivshmem BAR: in ivshmem's backing file ('$got')" \
		[ "$got" = $marker ]
	got=$(at $img $((wlba * 512)))
	tap_check "the NVMe drive wrote the BAR's bytes to its disk: in the image ('$got')" [ "$got" = $token ]
	got=$(dd if=$shm bs=1 skip=$((ident + 4)) count=20 2>/dev/null | tr -d '\000 ')
	tap_check "its identify data landed in the BAR: serial '$got' (L1's ptvmN)" \
		sh -c "echo '$got' | grep -qx 'ptvm[0-9]*'"
	cp $out/p2p.log build/e2e/p2p-run.log 2>/dev/null
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
set -- $BDFS
nvme=$1 ivsh=$2
cmd="console=ttyS0 quiet panic=-1"
dmesg_faults() { dmesg | grep -c "DMAR: \[DMA"; }
if [ "$P2P_QEMU" = 1 ]; then
	# the reference: the same guest under QEMU's vfio-pci (diagnostics only)
	f0=$(dmesg_faults)
	timeout 600 qemu-system-x86_64 -M q35 -accel kvm -cpu host -smp 1 -m 512M \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-kernel $GUEST_KERNEL -initrd build/e2e/p2p.cpio.gz \
		-append "$cmd ptvm.p2p_rlba=$((rlba + 8)) ptvm.p2p_wlba=$((wlba + 8))" \
		-device vfio-pci,host=$nvme -device vfio-pci,host=$ivsh </dev/null >$OUT/qemu.log 2>&1
	echo "# QEMU: exit $?, L1 DMAR faults $(($(dmesg_faults) - f0))"
	grep -a "PTVM-" $OUT/qemu.log | sed 's/^/# qemu: /'
fi
f0=$(dmesg_faults)
log=$OUT/p2p.log json=$OUT/stats.json
timeout -k 30 600 build/ptvm --kernel $GUEST_KERNEL --initrd build/e2e/p2p.cpio.gz --mem 512M --cpus 1 \
	--device $nvme --device $ivsh --stats --stats=json:$json \
	--cmdline "$cmd ptvm.p2p_rlba=$rlba ptvm.p2p_wlba=$wlba" </dev/null >$log 2>&1
rc=$?
faults=$(($(dmesg_faults) - f0))
tap_check "the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
bar=$(sed -n 's/.*PTVM-P2P target bar2=\(0x[0-9a-f]*\).*/\1/p' $log | head -n 1)
tap_check "ivshmem's BAR 2, the target, sits above 4 GiB where ptvm put it (${bar:-none})" \
	[ $((${bar:-0} >> 32)) -gt 0 ]
tap_check "identify, queues, read, write and flush completed, everything in the ivshmem BAR" \
	grep -qa "PTVM-P2P done" $log
tap_check "no DMAR fault in L1 while ptvm ran (got $faults)" [ "$faults" = 0 ]
tap_check "--stats=json: the BAR DMA maps made, none refused or failed, each unmapped at the end" python3 -c "
import json, sys
d = json.load(open('$json'))['bar_dma']
print('# bar_dma', d)
sys.exit(0 if d['maps'] >= 1 and d['unmaps'] == d['maps'] and d['map_failed'] == 0 and d['refused'] == 0 else 1)"
tap_check "Linux's decoding toggles around BAR sizing kept the mappings (bar_dma.kept > 0)" python3 -c "
import json, sys
d = json.load(open('$json'))['bar_dma']
sys.exit(0 if d['kept'] > 0 else 1)"
tap_check "--stats text: the BAR DMA line" grep -qa "ptvm: stats: bar dma: maps [1-9]" $log
tap_check "the drive is back on vfio-pci, reset, with bus mastering off" \
	sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$nvme/driver)) = vfio-pci ] && [ \$((0x\$(setpci -s $nvme COMMAND) & 4)) = 0 ]"
tap_check "after it: no ptvm left, no VFIO group held" \
	sh -c "! pgrep -x ptvm && ! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q '/dev/vfio/[0-9]'"
grep -aE "PTVM-|ptvm:" $log | tap_diag
