#!/usr/bin/env bash
# Peer-to-peer DMA and firmware parity, in one L1 boot, first under QEMU's
# own vfio-pci in L1 (the reference, diagnostics only) and then under ptvm:
#  (a) an LSI 53c895a with a disk: the chip fetches its SCRIPTS from its own
#      RAM BAR by DMA; the guest reads a marker and writes a token back.
#  (b) an NVMe controller driven from guest user space with its queues and
#      data in an ivshmem BAR: it reads a marker into that BAR and writes
#      the BAR's bytes to the disk. Both checked in the backing files.
#  (c) the ivshmem BAR (1 GiB, above 4 GiB, no driver) read through
#      /dev/mem without `enable`: firmware left it decoding.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

marker_off=$((40 << 20)) ivsh_off=$((1 << 20)) rlba=8192
# where each run writes back (q: QEMU, p: ptvm, b: PTVM_BASE)
declare -A lsi_back=([q]=$((44 << 20)) [p]=$((48 << 20)) [b]=$((52 << 20)))
declare -A wlba=([q]=16384 [p]=16392 [b]=16400)
if [ "${1:-}" != --in-l1 ]; then
	tap_plan 17
	scripts/guest-initrd build/e2e/p2p.cpio.gz tests/e2e/guest/p2p-init.sh sym53c8xx sd_mod \
		-- tests/e2e/guest/common.sh:common.sh build/tests/guest-p2pnvme:bin/p2pnvme
	out=$(mktemp -d)
	rm -f build/e2e/p2p-*.img
	truncate -s 64M build/e2e/p2p-lsi.img build/e2e/p2p-nvme.img
	printf 'lsi-%s' $RANDOM$RANDOM >$out/lsi-marker
	printf 'nvme-%s' $RANDOM$RANDOM >$out/nvme-marker
	dd if=$out/lsi-marker of=build/e2e/p2p-lsi.img bs=1 seek=$marker_off conv=notrunc 2>/dev/null
	dd if=$out/nvme-marker of=build/e2e/p2p-nvme.img bs=1 seek=$((rlba * 512)) conv=notrunc 2>/dev/null
	truncate -s 1G $out/ivshmem2
	w0=$(printf '%08X' $((RANDOM << 16 | RANDOM)))
	printf "\\x${w0:6:2}\\x${w0:4:2}\\x${w0:2:2}\\x${w0:0:2}" | dd of=$out/ivshmem2 bs=1 seek=$ivsh_off conv=notrunc 2>/dev/null
	printf 'PTVM' | dd of=$out/ivshmem2 bs=1 seek=$(((1 << 30) - 4)) conv=notrunc 2>/dev/null
	echo "$w0" >$out/w0
	scripts/nested -t 2400 -o $out -d lsi:build/e2e/p2p-lsi.img -d nvme:build/e2e/p2p-nvme.img \
		-d ivshmem:1024 -- env PTVM=${PTVM:-build/ptvm} PTVM_BASE=${PTVM_BASE:-} \
		bash tests/survey/p2p.t --in-l1 || echo "# nested: exit $?"
	# What the devices wrote, checked in the files behind them.
	at() { dd if=$1 bs=1 skip=$2 count=64 2>/dev/null | tr -d '\000'; }
	for v in q b p; do
		tok=$(cat $out/lsi-token-$v 2>/dev/null)
		got=$(at build/e2e/p2p-lsi.img ${lsi_back[$v]})
		ptok=$(cat $out/p2p-token-$v 2>/dev/null)
		pgot=$(at build/e2e/p2p-nvme.img $((${wlba[$v]} * 512)))
		if [ $v != p ]; then
			[ -n "$tok" ] && echo "# $([ $v = q ] && echo "QEMU (reference)" || echo "${PTVM_BASE:-base}"): LSI wrote back '$got' (token '$tok'); NVMe wrote from the BAR '$pgot' (token '$ptok')"
			continue
		fi
		tap_check "(a) LSI: the token the guest wrote is in the disk image ('$got')" \
			[ -n "$tok" -a "$got" = "$tok" ]
		tap_check "(b) NVMe wrote the ivshmem BAR's bytes to its disk: in the image ('$pgot')" \
			[ -n "$ptok" -a "$pgot" = "$ptok" ]
	done
	for f in p.log q.log b.log stats.json l1-console.log dmesg-l1.log; do
		cp "$out/$f" build/e2e/p2p-run-$f 2>/dev/null
	done
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
set -- $BDFS
lsi=$1 nvme=$2 ivsh=$3
ptvm=${PTVM:-build/ptvm}
cmd="console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off ptvm.ivsh_off=$ivsh_off ptvm.p2p_rlba=$rlba"
# prepare V: fresh tokens for this run, the read target in the BAR cleared
prepare() {
	printf 'lsi-back-%s-%s' $1 $RANDOM$RANDOM >$OUT/lsi-token-$1
	printf 'p2p-from-bar-%s-%s' $1 $RANDOM$RANDOM >$OUT/p2p-token-$1
	dd if=/dev/zero of=$OUT/ivshmem2 bs=4096 seek=8 count=1 conv=notrunc 2>/dev/null # identify data
	dd if=/dev/zero of=$OUT/ivshmem2 bs=4096 seek=16 count=1 conv=notrunc 2>/dev/null
	dd if=/dev/zero of=$OUT/ivshmem2 bs=4096 seek=32 count=1 conv=notrunc 2>/dev/null
	dd if=$OUT/p2p-token-$1 of=$OUT/ivshmem2 bs=1 seek=$((0x20000)) conv=notrunc 2>/dev/null
}
args() { echo "$cmd ptvm.lsi_token=$(cat $OUT/lsi-token-$1) ptvm.lsi_back=${lsi_back[$1]} ptvm.p2p_wlba=${wlba[$1]}"; }
dmesg_faults() { dmesg | grep -c "DMAR: \[DMA"; }

# The reference: QEMU's vfio-pci in L1 (its warnings, if any, in q.log).
prepare q
f0=$(dmesg_faults)
timeout 600 qemu-system-x86_64 -M microvm,pcie=on -accel kvm -cpu host -smp 1 -m 512M \
	-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
	-kernel $kernel -initrd build/e2e/p2p.cpio.gz -append "$(args q)" \
	-device vfio-pci,host=$lsi -device vfio-pci,host=$nvme -device vfio-pci,host=$ivsh \
	</dev/null >$OUT/q.log 2>&1
echo "# QEMU: exit $?, L1 DMAR faults $(($(dmesg_faults) - f0)), p2p read into the BAR: '$(dd if=$OUT/ivshmem2 bs=1 skip=$((0x10000)) count=64 2>/dev/null | tr -d '\000')'"
grep -aE "PTVM-|VFIO|vfio" $OUT/q.log | head -n 40 | tap_diag

# ptvm.
prepare p
f0=$(dmesg_faults)
timeout 600 $ptvm --kernel $kernel --initrd build/e2e/p2p.cpio.gz --mem 512M --cpus 1 \
	--device $lsi --device $nvme --device $ivsh --stats --stats=json:$OUT/stats.json \
	--cmdline "$(args p)" </dev/null >$OUT/p.log 2>&1
rc=$?
faults=$(($(dmesg_faults) - f0))
dmesg >$OUT/dmesg-l1.log
log=$OUT/p.log
tap_check "ptvm: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "(a) LSI: the guest found its disk" grep -qa "PTVM-LSI disks: .*sda" $log
tap_check "(a) LSI: the guest read the marker the host wrote ($(cat $OUT/lsi-marker))" \
	grep -qa "PTVM-LSI read $(cat $OUT/lsi-marker)" $log
tap_check "(a) LSI: the guest read back what it wrote" grep -qa "PTVM-LSI back $(cat $OUT/lsi-token-p)" $log
tap_check "(b) NVMe: identify, queues, read, write and flush with everything in the ivshmem BAR" \
	grep -qa "PTVM-P2P done" $log
got=$(dd if=$OUT/ivshmem2 bs=1 skip=$((0x10000)) count=64 2>/dev/null | tr -d '\000')
tap_check "(b) NVMe read the disk's marker into the ivshmem BAR: in the backing file ('$got')" \
	[ "$got" = "$(cat $OUT/nvme-marker)" ]
id=$(dd if=$OUT/ivshmem2 bs=1 skip=$((0x8000 + 4)) count=5 2>/dev/null)
tap_check "(b) NVMe's identify data landed in the ivshmem BAR: serial '$id'" [ "$id" = ptvm1 ]
tap_check "(a,b) no DMAR fault in L1 while ptvm ran (got $faults)" [ "$faults" = 0 ]
tap_check "(c) ivshmem: its 1 GiB BAR sits above 4 GiB" grep -qaE "PTVM-IVSHMEM bar2=0x0*[1-9a-f][0-9a-f]{8} " $log
tap_check "(c) ivshmem: the command register reads memory decoding on, before any driver or enable" \
	grep -qaE "PTVM-IVSHMEM .* cmd=0x0*[0-9a-f]*[2367abef] enable=0" $log
w0=$(cat $OUT/w0)
tap_check "(c) ivshmem: /dev/mem reads what the host wrote (0x$w0, last word PTVM)" \
	grep -qaE "PTVM-IVSHMEM word=0x$w0 wordlast=0x4D565450" $log
json=$OUT/stats.json
tap_check "--stats=json: valid, with the BAR DMA counters" python3 -c "
import json, sys
s = json.load(open('$json'))
d = s['bar_dma']
sys.exit(0 if d['maps'] >= 3 and d['unmaps'] == d['maps'] else 1)"
tap_check "--stats: every BAR DMA mapping was unmapped by the end" \
	python3 -c "import json,sys; d=json.load(open('$json'))['bar_dma']; sys.exit(d['maps'] != d['unmaps'])"
tap_check "--stats text: the BAR DMA line" grep -qa "ptvm: stats: bar dma: maps" $log
tap_check "after it: no ptvm left, no VFIO group held" \
	sh -c "! pgrep -x ptvm && ! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q '/dev/vfio/[0-9]'"
grep -aE "PTVM-|ptvm:" $log | tap_diag
# For comparison (diagnostics only): an older ptvm given as PTVM_BASE, e.g.
# one without BAR mappings, on the same guest: what it saw, how fast it started.
if [ -n "${PTVM_BASE:-}" ] && [ -x "$PTVM_BASE" ]; then
	prepare b
	f0=$(dmesg_faults)
	timeout 300 $PTVM_BASE --kernel $kernel --initrd build/e2e/p2p.cpio.gz --mem 512M --cpus 1 \
		--device $lsi --device $nvme --device $ivsh --stats \
		--cmdline "$(args b)" </dev/null >$OUT/b.log 2>&1
	echo "# $PTVM_BASE: exit $?, L1 DMAR faults $(($(dmesg_faults) - f0)), p2p read into the BAR: '$(dd if=$OUT/ivshmem2 bs=1 skip=$((0x10000)) count=64 2>/dev/null | tr -d '\000')'"
	grep -aE "PTVM-|ptvm:" $OUT/b.log | tap_diag
fi
