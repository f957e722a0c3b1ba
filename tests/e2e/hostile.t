#!/usr/bin/env bash
# A hostile guest: with no driver loaded it attacks its own passthrough
# devices from inside (random config space in every width, odd MSI-X table
# and PBA accesses, BARs over its RAM, over each other and over ECAM, MSI
# and MSI-X on together). ptvm must survive and count what it ignored, L1
# must stay clean, and a normal NVMe guest must then work on the same drive.
# The NVMe drive has one BAR and no MSI capability, so an e1000e (four
# BARs, MSI and MSI-X) is attacked alongside it.
# nested-shared: -d nvme:build/e2e/hostile.img -d e1000e
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 17
	scripts/guest-initrd build/e2e/hostile.cpio.gz tests/e2e/guest/hostile-init.sh \
		-- tests/e2e/guest/common.sh:common.sh build/tests/guest-hostile:bin/hostile
	scripts/guest-initrd build/e2e/nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/hostile.img
	blank_image $img 64M
	out=$(mktemp -d)
	scripts/nested -t 1200 -o "$out" -d nvme:$img -d e1000e -- bash tests/e2e/hostile.t --in-l1 ||
		echo "# nested: exit $?"
	for f in hostile.log dmesg-l1.log nvme.log l1-console.log; do
		cp "$out/$f" build/e2e/hostile-run-$f 2>/dev/null
	done
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
top=$PWD
nvme=${BDFS%% *}
seed=${PTVM_SEED:-$((RANDOM * 32768 + RANDOM))}
devs=()
for b in $BDFS; do devs+=(--device $b); done
dmesg_before=$(dmesg | wc -l)
log=$OUT/hostile.log
run=$(mktemp -d) # a writable cwd, so that a crash would leave its core here
ulimit -c unlimited
(cd $run && exec timeout 700 $top/build/ptvm --kernel "$kernel" \
	--initrd $top/build/e2e/hostile.cpio.gz --mem 512M --cpus 2 "${devs[@]}" --stats \
	--cmdline "console=ttyS0 quiet panic=-1 iomem=relaxed ptvm.seed=$seed ptvm.rounds=2" \
	</dev/null >$log 2>&1)
rc=$?
echo "# seed $seed"
tap_check "hostile guest: ptvm exited 0, the guest powered off (got $rc)" [ $rc = 0 ]
tap_check "ptvm did not die of a signal and left no core" \
	sh -c "[ $rc -lt 124 ] && ! ls $run | grep -q core"
ndev=$(echo $BDFS | wc -w)
for p in config msix bars msi; do
	n=$(grep -ac "PTVM-HOSTILE phase=$p done" $log)
	want=$ndev
	[ $p = bars ] && want=1 # one phase over all devices together
	tap_check "phase $p done ($n of $want marker lines)" [ "$n" = $want ]
done
tap_check "the guest finished its attack (PTVM-HOSTILE-DONE)" grep -qa "PTVM-HOSTILE-DONE" $log
tap_check "the guest's RAM stayed RAM under BARs placed on it" \
	sh -c "grep -qa 'phase=bars done ram-intact=1' $log && ! grep -qa 'ram-intact=0' $log"
ign=$(grep -a "ptvm: stats: .*ignored:" $log | tr -d '\r')
sum() { echo "$ign" | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | awk '{s += $1} END {print s + 0}'; }
tap_check "--stats counted read-only config writes ($(sum 'read only writes'))" [ "$(sum 'read only writes')" -gt 0 ]
tap_check "--stats counted bad MSI-X table/PBA accesses ($(sum 'msix bad'))" [ "$(sum 'msix bad')" -gt 0 ]
# Odd-sized and unaligned config accesses (CF8 data port at 0xcfd, ECAM
# at odd offsets) are dropped by the host bridge before any device sees
# them: it counts them itself.
bridge=$(grep -a "ptvm: stats: host bridge:" $log | tr -d '\r' | sed -n 's/.*bad access \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
tap_check "--stats counted bad config accesses (devices $(sum 'bad config'), host bridge $bridge)" \
	[ $(($(sum 'bad config') + bridge)) -gt 0 ]
warn=$(grep -ac "bad accesses so far" $log)
tap_check "ptvm warned of the bad accesses, rate-limited ($warn lines)" sh -c "[ '$warn' -ge 1 ] && [ '$warn' -lt 1000 ]"
grep -aE "PTVM-HOSTILE|PTVM-DMESG|ptvm:" $log | tr -d '\r' | head -80 | tap_diag
dmesg | tail -n +$((dmesg_before + 1)) >$OUT/dmesg-l1.log
faults=$(grep -ciE "DMAR:.*fault|DMAR: \[DMA" $OUT/dmesg-l1.log)
echo "# L1 dmesg during the hostile run: $(wc -l <$OUT/dmesg-l1.log) lines, $faults IOMMU fault lines"
head -20 $OUT/dmesg-l1.log | tap_diag
tap_check "L1: no IOMMU fault storm ($faults fault lines)" [ "$faults" -lt 50 ]
tap_check "L1: no oops, BUG or WARNING in dmesg" \
	sh -c "! grep -qE 'BUG|Oops|WARNING|general protection|Call Trace|segfault' $OUT/dmesg-l1.log"
bound=0
for b in $BDFS; do [ "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" = vfio-pci ] && bound=$((bound + 1)); done
tap_check "the devices are still bound to vfio-pci" [ $bound = $ndev ]
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"

# ---- the same drive, a normal guest ----
log=$OUT/nvme.log
timeout -k 60 300 build/ptvm --kernel "$kernel" --initrd build/e2e/nvme.cpio.gz --mem 512M --cpus 2 \
	--device "$nvme" --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0" </dev/null >$log 2>&1
rc=$?
tap_check "after it: a normal NVMe guest writes, reads back and compares 8 MiB, exit 0 (got $rc)" \
	sh -c "[ $rc = 0 ] && grep -qa PTVM-RW-OK $log"
grep -aE "PTVM-RW|PTVM-NVME|ptvm:" $log | tap_diag
