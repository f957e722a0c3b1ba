#!/usr/bin/env bash
# The device sweep on arm64 (tests/e2e/sweep.t's subset): the storage,
# network and USB models of docs/sweep.md that QEMU's arm "virt" machine
# has and the arm64 guest kernel (PTVM_KVER_ARM64) drives, each with its
# stock driver, passed through by ptvm's arm64 build in two guests in one
# arm64 L1 (scripts/nested-arm64). Between them they cover MSI-X, MSI and
# INTx (level GIC SPIs), and I/O BARs (ne2k_pci, pcnet, tulip, the LSI
# and e1000's) through ptvm's PCI I/O window at 0x3eff0000. Each device's
# check makes its driver do something (tests/e2e/guest/sweep-init.sh):
# disks read a marker and write a word that the host then finds in the
# image, NICs get a link-local ping answered by L1, USB controllers
# enumerate their device (a disk, or a keyboard).
# A device that fails under ptvm is run once more under QEMU's vfio-pci in
# the same L1 (-M virt,gic-version=3 -accel kvm, as arm64-ref.t does), all
# failed ones in one guest, as the reference: its result is a diagnostic.
# ARM64_SWEEP_QEMU=1 runs every guest under QEMU first (a survey for
# docs/sweep.md's QEMU column; not part of the suite). Skipped only without
# qemu-system-aarch64 or aarch64-linux-musl-gcc on the host.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

# KIND:MODEL  BATCH  L1 DEVICE  [L1 BACKEND ARGUMENTS]
# In the last two, @ is the device's index (unique ids) and %img its disk
# image. A batch is one guest. NICs are put on the hub of L1's own NIC.
device_table() {
	cat <<'EOF'
disk:nvme 1 nvme,drive=d@,serial=sweep@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe
disk:ich9-ahci 1 ich9-ahci,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device ide-hd,drive=d@,bus=c@.0
disk:megasas-gen2 1 megasas-gen2,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:lsi53c895a 1 lsi53c895a,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:virtio-blk-pci 1 virtio-blk-pci,drive=d@,disable-legacy=on,iommu_platform=on -drive file=%img,if=none,id=d@,format=raw,cache=unsafe
disk:virtio-scsi-pci 1 virtio-scsi-pci,id=c@,disable-legacy=on,iommu_platform=on -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:sdhci-pci 1 sdhci-pci -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device sd-card,drive=d@
usbdisk:qemu-xhci 1 qemu-xhci,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device usb-storage,drive=d@,bus=c@.0
usbdisk:ich9-usb-ehci1 1 ich9-usb-ehci1,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device usb-storage,drive=d@,bus=c@.0
usb:pci-ohci 1 pci-ohci,id=c@ -device usb-kbd,bus=c@.0
net:e1000 2 e1000
net:e1000e 2 e1000e
net:rtl8139 2 rtl8139
net:pcnet 2 pcnet
net:ne2k_pci 2 ne2k_pci
net:i82559er 2 i82559er
net:tulip 2 tulip
net:vmxnet3 2 vmxnet3
net:virtio-net-pci 2 virtio-net-pci,disable-legacy=on,iommu_platform=on
usb:nec-usb-xhci 2 nec-usb-xhci,id=c@ -device usb-kbd,bus=c@.0
EOF
}
mods="ahci sd_mod megaraid_sas sym53c8xx virtio_blk virtio_scsi sdhci_pci nvme
	e1000 e1000e 8139cp pcnet32 ne2k-pci e100 vmxnet3 tulip virtio_net virtio_pci
	xhci_pci ehci_pci ohci_pci usb_storage usbhid hid_generic"

if [ "${1:-}" != --in-l1 ]; then
	for t in qemu-system-aarch64 aarch64-linux-musl-gcc; do
		command -v $t >/dev/null || { echo "1..0 # SKIP no $t on the host (scripts/setup installs it)"; exit 0; }
	done
	t0=$SECONDS
	mkdir -p build/e2e
	out=$(mktemp -d)
	args=() i=0
	: >$out/devs
	while read -r name batch dev extra; do
		model=${name#*:}
		img=build/e2e/arm64-sweep-$model.img
		case $name in
		disk:* | usbdisk:*)
			blank_image $img 64M
			printf 'sweep-%s-%s' $model $RANDOM | dd of=$img bs=1 seek=$((1 << 20)) conv=notrunc 2>/dev/null ;;
		esac
		extra=$(echo "$extra" | sed "s|@|$i|g; s|%img|$img|g")
		case $name in
		net:*) args+=(-d "nic:${dev//@/$i}") ;;
		*) args+=(-d "raw:${dev//@/$i}") ;;
		esac
		[ -n "${extra// /}" ] && args+=(-q "$extra")
		echo "$batch $name $img" >>$out/devs
		i=$((i + 1))
	done < <(device_table)
	ndev=$(grep -c . $out/devs)
	nbatch=$(cut -d' ' -f1 $out/devs | sort -u | grep -c .)
	tap_plan $((ndev + nbatch + $(grep -c '^[0-9]* [a-z]*disk:' $out/devs)))
	flock build/e2e/.arm64-ninja.lock ninja build/arm64/ptvm >/dev/null || { echo "Bail out! ninja build/arm64/ptvm failed"; exit 1; }
	scripts/guest-initrd -a arm64 build/e2e/arm64-sweep.cpio.gz tests/e2e/guest/sweep-init.sh $mods \
		-- tests/e2e/guest/common.sh:common.sh
	scripts/nested-arm64 -t 1500 -o $out "${args[@]}" \
		-- env ARM64_SWEEP_QEMU=${ARM64_SWEEP_QEMU:-0} bash tests/e2e/arm64-sweep.t --in-l1 ||
		echo "# nested-arm64: exit $?"
	# what each guest wrote is in the host's image
	while read -r batch name img; do
		model=${name#*:}
		case $name in disk:* | usbdisk:*) ;; *) continue ;; esac
		w=$(grep -ah "^PTVM-SWEEP $model " $out/ptvm-$batch.log 2>/dev/null | tr -d '\r' | sed -n 's/.* wrote=\([^ ]*\).*/\1/p' | head -n 1)
		tap_check "$model: what the guest wrote is in the host's image ($w)" \
			sh -c "[ -n '$w' ] && grep -qa '$w' $img"
	done <$out/devs
	rm -rf build/e2e/arm64-sweep-logs && cp -r $out build/e2e/arm64-sweep-logs
	echo "# wall time: $((SECONDS - t0)) s (logs: build/e2e/arm64-sweep-logs)"
	rm -rf "$out"
	exit 0
fi

# ---- in L1: its own NIC at 00:10.0 answers as fe80::1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
l1_peer_up
initrd=build/e2e/arm64-sweep.cpio.gz
set -- $BDFS
while read -r batch name img; do
	echo "$batch $name $1"
	shift
done <$OUT/devs >$OUT/bdfs
batches=$(cut -d' ' -f1 $OUT/bdfs | sort -un)

# qemu_guest TAG NAMES BDF...: QEMU in L1 boots the sweep guest with the
# devices passed through (vfio-pci, at 00:01.0 on in order: the guest
# finds them in NAMES's order); console in $OUT/qemu-TAG.log
qemu_guest() {
	local tag=$1 names=$2 n=1 b qdevs=() t=$SECONDS
	shift 2
	for b; do
		qdevs+=(-device vfio-pci,host=$b,addr=$(printf %x $n))
		n=$((n + 1))
	done
	timeout -k 30 400 qemu-system-aarch64 -M virt,gic-version=3 -accel kvm -cpu host -m 512 -smp 1 \
		-nographic -nodefaults -no-reboot -serial stdio \
		-kernel "$GUEST_KERNEL" -initrd $initrd "${qdevs[@]}" \
		-append "console=ttyAMA0 quiet panic=-1 ptvm.vmm=qemu ptvm.sweep=$names" </dev/null >$OUT/qemu-$tag.log 2>&1
	echo "# $tag under QEMU: exit $?, $((SECONDS - t)) s (wall in L1)"
	tr -d '\r' <$OUT/qemu-$tag.log | grep -aE "PTVM-SWEEP|PTVM-DMESG|qemu-system" | sed 's/^/# qemu: /'
}

# The survey's reference first (its disk words are then overwritten by
# ptvm's guests, which the host checks).
if [ "${ARM64_SWEEP_QEMU:-0}" = 1 ]; then
	for batch in $batches; do
		qemu_guest batch$batch "$(awk -v b=$batch '$1 == b { print $2 }' $OUT/bdfs | paste -sd,)" \
			$(awk -v b=$batch '$1 == b { print $3 }' $OUT/bdfs)
	done
fi

failed=()
for batch in $batches; do
	names=$(awk -v b=$batch '$1 == b { print $2 }' $OUT/bdfs | paste -sd,)
	devs=()
	for b in $(awk -v b=$batch '$1 == b { print $3 }' $OUT/bdfs); do devs+=(--device $b); done
	t=$SECONDS
	timeout -k 30 400 build/arm64/ptvm --kernel "$GUEST_KERNEL" --initrd $initrd --mem 512M --stats "${devs[@]}" \
		--cmdline "console=ttyS0 quiet panic=-1 ptvm.vmm=ptvm ptvm.sweep=$names" </dev/null >$OUT/ptvm-$batch.log 2>&1
	rc=$?
	echo "# batch $batch under ptvm: $((SECONDS - t)) s (wall in L1)"
	tap_check "batch $batch: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	for n in $(echo $names | tr , ' '); do
		m=${n#*:}
		line=$(grep -a "^PTVM-SWEEP $m " $OUT/ptvm-$batch.log | tr -d '\r' | head -n 1)
		tap_check "$m: ${line#PTVM-SWEEP $m }" grep -qa "^PTVM-SWEEP $m ok " $OUT/ptvm-$batch.log
		grep -qa "^PTVM-SWEEP $m ok " $OUT/ptvm-$batch.log || failed+=("$n")
	done
	tr -d '\r' <$OUT/ptvm-$batch.log | grep -aE "PTVM-DMESG|PTVM-SWEEP-EXTRA|^ptvm:" | tap_diag
done

# The reference for what failed: the same devices under QEMU's vfio-pci.
if [ ${#failed[@]} -gt 0 ] && [ "${ARM64_SWEEP_QEMU:-0}" != 1 ]; then
	names=$(printf '%s\n' "${failed[@]}" | awk '!seen[$0]++' | paste -sd,)
	bdfs=$(for n in $(echo $names | tr , ' '); do awk -v n=$n '$2 == n { print $3 }' $OUT/bdfs; done)
	echo "# failed under ptvm: $names; the same under QEMU's vfio-pci:"
	qemu_guest failed "$names" $bdfs
fi
