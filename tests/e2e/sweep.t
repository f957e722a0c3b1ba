#!/usr/bin/env bash
# The device sweep: QEMU's PCI device models, each with its stock Linux
# driver in the guest, many per guest, in one L1 boot. Each device's check
# makes its driver do something (tests/e2e/guest/sweep-init.sh): disks read
# a marker and write a word that the host then finds in the image, NICs get
# a link-local ping answered by L1, USB controllers enumerate a device,
# sound cards show their codec, the watchdog is pinged, the UART transmits,
# edu raises an interrupt that is counted...
#
# A device that fails under QEMU's own vfio-pci in L1 as well belongs in
# the survey-only lines below; docs/sweep.md's table has both columns. SWEEP_QEMU=1 runs each guest under QEMU
# (-M q35, vfio-pci) first, as the reference (not part of the suite);
# SWEEP_ALL=1 adds the devices that fail under both, for a new survey.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

# KIND:MODEL  BATCH  L1 DEVICE  [L1 BACKEND ARGUMENTS]
# In the last two, @ is the device's index (unique ids) and %img its disk
# image; backend arguments before a ^ go before the device (a BMC before
# its interface), the rest after it (a disk after its controller). A batch
# is one guest: 16 devices at most.
# A line that starts with - is survey-only (SWEEP_ALL=1 or SWEEP_QEMU=1):
# a device that fails under QEMU's vfio-pci too, or that needs what ptvm
# does not do yet (docs/sweep.md's table says which and why).
devices() {
	if [ "${SWEEP_ALL:-0}" = 1 ] || [ "${SWEEP_QEMU:-0}" = 1 ]; then
		device_table | sed 's/^-//'
	else
		device_table | grep -v '^-'
	fi
}
device_table() {
	cat <<'EOF'
disk:ich9-ahci 1 ich9-ahci,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device ide-hd,drive=d@,bus=c@.0
disk:megasas 1 megasas,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:megasas-gen2 2 megasas-gen2,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
-disk:am53c974 4 am53c974,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
-disk:dc390 4 dc390,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:virtio-blk-pci 1 virtio-blk-pci,drive=d@,disable-legacy=on,iommu_platform=on -drive file=%img,if=none,id=d@,format=raw,cache=unsafe
disk:virtio-scsi-pci 2 virtio-scsi-pci,id=c@,disable-legacy=on,iommu_platform=on -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:sdhci-pci 1 sdhci-pci -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device sd-card,drive=d@
disk:nvme 2 nvme,drive=d@,serial=sweep@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe
disk:lsi53c895a 3 lsi53c895a,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
disk:lsi53c810 3 lsi53c810,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device scsi-hd,drive=d@,bus=c@.0
-disk:piix3-ide 4 piix3-ide,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device ide-hd,drive=d@,bus=c@.0
net:e1000 1 e1000,netdev=n@ -netdev hubport,id=n@,hubid=0
net:e1000e 2 e1000e,netdev=n@ -netdev hubport,id=n@,hubid=0
net:rtl8139 1 rtl8139,netdev=n@ -netdev hubport,id=n@,hubid=0
net:pcnet 3 pcnet,netdev=n@ -netdev hubport,id=n@,hubid=0
net:ne2k_pci 1 ne2k_pci,netdev=n@ -netdev hubport,id=n@,hubid=0
net:i82559er 2 i82559er,netdev=n@ -netdev hubport,id=n@,hubid=0
net:i82557b 1 i82557b,netdev=n@ -netdev hubport,id=n@,hubid=0
net:vmxnet3 2 vmxnet3,netdev=n@ -netdev hubport,id=n@,hubid=0
net:tulip 1 tulip,netdev=n@ -netdev hubport,id=n@,hubid=0
net:virtio-net-pci 2 virtio-net-pci,netdev=n@,disable-legacy=on,iommu_platform=on -netdev hubport,id=n@,hubid=0
net:e1000-82545em 3 e1000-82545em,netdev=n@ -netdev hubport,id=n@,hubid=0
net:i82801 3 i82801,netdev=n@ -netdev hubport,id=n@,hubid=0
usbdisk:qemu-xhci 1 qemu-xhci,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device usb-storage,drive=d@,bus=c@.0
usb:nec-usb-xhci 2 nec-usb-xhci,id=c@ -device usb-kbd,bus=c@.0
usbdisk:ich9-usb-ehci1 2 ich9-usb-ehci1,id=c@ -drive file=%img,if=none,id=d@,format=raw,cache=unsafe -device usb-storage,drive=d@,bus=c@.0
usb:piix3-usb-uhci 1 piix3-usb-uhci,id=c@ -device usb-kbd,bus=c@.0
usb:pci-ohci 2 pci-ohci,id=c@ -device usb-kbd,bus=c@.0
usb:ich9-usb-uhci1 3 ich9-usb-uhci1,id=c@ -device usb-tablet,bus=c@.0
snd:AC97 1 AC97,audiodev=a@ -audiodev none,id=a@
snd:ES1370 2 ES1370,audiodev=a@ -audiodev none,id=a@
wdt:i6300esb 1 i6300esb
tty:pci-serial 2 pci-serial,chardev=s@ -chardev null,id=s@
pvpanic:pvpanic-pci 1 pvpanic-pci
rng:virtio-rng-pci 2 virtio-rng-pci,disable-legacy=on,iommu_platform=on
edu:edu 1 edu
ivshmem:ivshmem-plain 2 ivshmem-plain,memdev=m@ -object memory-backend-memfd,id=m@,size=1M,share=on
fb:bochs-display 1 bochs-display
ipmi:pci-ipmi-kcs 2 pci-ipmi-kcs,bmc=b@ -device ipmi-bmc-sim,id=b@ ^
ipmi:pci-ipmi-bt 3 pci-ipmi-bt,bmc=b@ -device ipmi-bmc-sim,id=b@ ^
input:virtio-keyboard-pci 3 virtio-keyboard-pci,disable-legacy=on,iommu_platform=on
probe:virtio-balloon-pci 3 virtio-balloon-pci,disable-legacy=on,iommu_platform=on
fb:virtio-gpu-pci 3 virtio-gpu-pci,disable-legacy=on,iommu_platform=on
fb:cirrus-vga 3 cirrus-vga
fb:qxl 3 qxl
EOF
}
mods="ahci sd_mod megaraid_sas am53c974 sym53c8xx ata_piix virtio_blk virtio_scsi sdhci_pci mmc_block nvme
	e1000 e1000e 8139cp pcnet32 ne2k-pci e100 vmxnet3 tulip virtio_net virtio_pci
	xhci_pci ehci_pci uhci_hcd ohci_pci usb_storage usbhid hid_generic snd_intel8x0 snd_ens1370
	i6300esb pvpanic_pci virtio_rng uio_pci_generic bochs ipmi_si ipmi_devintf virtio_input virtio_balloon
	virtio_gpu cirrus vmwgfx qxl"

if [ "${1:-}" != --in-l1 ]; then
	mkdir -p build/e2e
	out=$(mktemp -d)
	args=() i=0
	: >$out/devs
	ndev=$(devices | grep -c .)
	nbatch=$(devices | awk '{ print $2 }' | sort -u | grep -c .)
	while read -r name batch dev extra; do
		model=${name#*:}
		img=build/e2e/sweep-$model.img
		case $name in
		disk:* | usbdisk:*)
			rm -f $img
			truncate -s 64M $img
			printf 'sweep-%s-%s' $model $RANDOM | dd of=$img bs=1 seek=$((1 << 20)) conv=notrunc 2>/dev/null ;;
		esac
		# slots 04-0f and 11-1e (10 is L1's NIC), then function 1 of 04...
		slot=$((4 + i))
		[ $slot -ge 16 ] && slot=$((slot + 1))
		fn=0 mf=
		[ $((i + 26)) -lt $ndev ] && mf=,multifunction=on
		[ $slot -gt 30 ] && { slot=$((slot - 27)); [ $slot -ge 16 ] && slot=$((slot + 1)); fn=1; }
		extra=$(echo "$extra" | sed "s|@|$i|g; s|%img|$img|g")
		case $extra in *^*) args+=(-q "${extra%%^*}"); extra=${extra#*^} ;; esac
		args+=(-d "raw:${dev//@/$i}$mf,addr=$(printf %02x.%x $slot $fn)")
		[ -n "${extra// /}" ] && args+=(-q "$extra")
		echo "$batch $name $img" >>$out/devs
		i=$((i + 1))
	done < <(devices)
	[ -n "${SWEEP_PRINT:-}" ] && { printf '%s\n' "${args[@]}"; rm -rf "$out"; exit 0; }
	tap_plan $((ndev + nbatch + $(grep -c '^[0-9]* [a-z]*disk:' $out/devs)))
	scripts/guest-initrd build/e2e/sweep.cpio.gz tests/e2e/guest/sweep-init.sh $mods \
		-- tests/e2e/guest/common.sh:common.sh
	scripts/nested -t 1800 -o $out "${args[@]}" \
		-q "-netdev hubport,id=nl1,hubid=0 -device e1000e,netdev=nl1,addr=10" \
		-- env SWEEP_QEMU=${SWEEP_QEMU:-0} SWEEP_BATCHES="${SWEEP_BATCHES:-}" bash tests/e2e/sweep.t --in-l1 || echo "# nested: exit $?"
	# what each guest wrote is in the host's image
	while read -r batch name img; do
		model=${name#*:}
		case $name in disk:* | usbdisk:*) ;; *) continue ;; esac
		w=$(grep -ah "^PTVM-SWEEP $model " $out/ptvm-$batch.log 2>/dev/null | sed -n 's/.* wrote=\([^ ]*\).*/\1/p' | head -n 1)
		tap_check "$model: what the guest wrote is in the host's image ($w)" \
			sh -c "[ -n '$w' ] && grep -qa '$w' $img"
	done <$out/devs
	[ "${SWEEP_QEMU:-0}" = 1 ] && rm -rf build/e2e/sweep-logs && cp -r $out build/e2e/sweep-logs
	rm -rf "$out"
	exit 0
fi

# ---- in L1: its own NIC at 00:10.0 answers as fe80::1 ----
l1_peer_up
kernel=/boot/vmlinuz-$KVER
initrd=build/e2e/sweep.cpio.gz
cmd="console=ttyS0 quiet panic=-1 8250.nr_uarts=8"
set -- $BDFS
while read -r batch name img; do
	echo "$batch $name $1"
	shift
done <$OUT/devs >$OUT/bdfs
batches=$(cut -d' ' -f1 $OUT/bdfs | sort -un)
# SWEEP_BATCHES="1 2": only those guests (a partial survey)
[ -n "${SWEEP_BATCHES:-}" ] && batches=$SWEEP_BATCHES
# guest_order: "name bdf" lines in --device order, out in the order the
# guest finds them on its bus: ptvm gives each device the next slot, but
# functions of one host slot whose function 0 is passed too share a slot
# and keep their numbers (docs/passthrough.md)
guest_order() {
	awk '{ name[NR] = $1; hs[NR] = substr($2, 1, length($2) - 2); fn[NR] = substr($2, length($2)) }
	END {
		next_slot = 1
		for (i = 1; i <= NR; i++) {
			has0 = 0; others = 0; slot[i] = 0; f = 0
			for (j = 1; j <= NR; j++)
				if (hs[j] == hs[i]) { if (fn[j] == 0) has0 = 1; if (j != i) others++ }
			if (has0 && others) {
				for (j = 1; j < i; j++) if (hs[j] == hs[i]) slot[i] = slot[j]
				f = fn[i]
			}
			if (!slot[i]) slot[i] = next_slot++
			print slot[i] * 8 + f, name[i]
		}
	}' | sort -n | cut -d' ' -f2
}
for batch in $batches; do
	names=$(awk -v b=$batch '$1 == b { print $2, $3 }' $OUT/bdfs | guest_order | paste -sd,)
	bdfs=$(awk -v b=$batch '$1 == b { print $3 }' $OUT/bdfs)
	devs=()
	for b in $bdfs; do devs+=(--device $b); done
	timeout -k 30 400 build/ptvm --kernel $kernel --initrd $initrd --mem 1G --stats "${devs[@]}" \
		--cmdline "$cmd ptvm.vmm=ptvm ptvm.sweep=$names" </dev/null >$OUT/ptvm-$batch.log 2>&1
	rc=$?
	tap_check "batch $batch: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	for n in $(echo $names | tr , ' '); do
		m=${n#*:}
		line=$(grep -a "^PTVM-SWEEP $m " $OUT/ptvm-$batch.log | tr -d '\r' | head -n 1)
		tap_check "$m: ${line#PTVM-SWEEP $m }" grep -qa "^PTVM-SWEEP $m ok " $OUT/ptvm-$batch.log
	done
	grep -aE "PTVM-DMESG|PTVM-SWEEP-EXTRA|^ptvm:" $OUT/ptvm-$batch.log | tap_diag
done
# The reference: the same guests under QEMU's vfio-pci (q35, not microvm:
# microvm's PCI host has no I/O port window).
[ "$SWEEP_QEMU" = 1 ] || exit 0
for batch in $batches; do
	names=$(awk -v b=$batch '$1 == b { print $2 }' $OUT/bdfs | paste -sd,)
	qdevs=() n=1
	for b in $(awk -v b=$batch '$1 == b { print $3 }' $OUT/bdfs); do
		qdevs+=(-device vfio-pci,host=$b,addr=$(printf %x $n))
		n=$((n + 1))
	done
	timeout -k 30 400 qemu-system-x86_64 -M q35 -accel kvm -cpu host -smp 1 -m 1G \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-kernel $kernel -initrd $initrd -append "$cmd ptvm.vmm=qemu ptvm.sweep=$names" \
		"${qdevs[@]}" </dev/null >$OUT/qemu-$batch.log 2>&1
	echo "# batch $batch under QEMU: exit $?"
	grep -aE "PTVM-SWEEP|PTVM-DMESG|qemu-system" $OUT/qemu-$batch.log | sed 's/^/# qemu: /'
done
