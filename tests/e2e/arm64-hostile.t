#!/usr/bin/env bash
# A hostile guest on arm64 (tests/e2e/hostile.t's twin): in the arm64 L1
# (scripts/nested-arm64), ptvm's arm64 build passes an NVMe drive and an
# e1000e (four BARs, one of them I/O, MSI and MSI-X) to a guest that loads
# no driver and attacks both from inside with build/arm64/tests/guest-hostile
# (tests/e2e/guest/hostile.c): random config space in every width through
# sysfs and raw ECAM at 0x3f000000 (arm64 has no CF8/CFC ports), odd MSI-X
# table and PBA accesses, BARs moved over its RAM (from 0x40000000), over
# ECAM, over the GIC's distributor (0x08000000) and over each other, MSI and
# MSI-X on together, and 16-byte loads (a load pair, whose data abort has
# no instruction syndrome) from the trapped pages. ptvm must survive and
# count what it ignored, L1 must stay clean, and a normal NVMe guest must
# then work on the same drive. On arm64 hardware an unaligned access to
# device memory faults in the guest itself (hostile catches the SIGBUS and
# counts it); QEMU's TCG, which runs L1 here, lets it through to KVM.
# The load pair is what QEMU as the VMM in L1 answers with an external
# abort into the guest (KVM_EXIT_ARM_NISV), as a VMM must: the guest, not
# the VMM, pays for it. Skipped only without qemu-system-aarch64 or
# aarch64-linux-musl-gcc on the host.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	for t in qemu-system-aarch64 aarch64-linux-musl-gcc; do
		command -v $t >/dev/null || { echo "1..0 # SKIP no $t on the host (scripts/setup installs it)"; exit 0; }
	done
	tap_plan 20
	t0=$SECONDS
	# (flock: scenarios run side by side, and two ninjas must not share
	# build/'s logs)
	mkdir -p build/e2e
	flock build/e2e/.arm64-ninja.lock ninja build/arm64/ptvm build/arm64/tests/guest-hostile >/dev/null ||
		{ echo "Bail out! ninja build/arm64/ptvm build/arm64/tests/guest-hostile failed"; exit 1; }
	scripts/guest-initrd -a arm64 build/e2e/arm64-hostile.cpio.gz tests/e2e/guest/hostile-init.sh \
		-- tests/e2e/guest/common.sh:common.sh build/arm64/tests/guest-hostile:bin/hostile
	scripts/guest-initrd -a arm64 build/e2e/arm64-nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/arm64-hostile.img
	blank_image $img 64M
	out=$(mktemp -d)
	scripts/nested-arm64 -t 1200 -o "$out" -d nvme:$img -d e1000e -- bash tests/e2e/arm64-hostile.t --in-l1 ||
		echo "# nested-arm64: exit $?"
	for f in hostile.log dmesg-l1.log nvme.log l1-console.log; do
		cp "$out/$f" build/e2e/arm64-hostile-run-$f 2>/dev/null
	done
	echo "# wall time: $((SECONDS - t0)) s"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
top=$PWD
nvme=${BDFS%% *}
seed=${PTVM_SEED:-$((RANDOM * 32768 + RANDOM))}
devs=()
for b in $BDFS; do devs+=(--device $b); done
dmesg_before=$(dmesg | wc -l)
log=$OUT/hostile.log
run=$(mktemp -d) # a writable cwd, so that a crash would leave its core here
ulimit -c unlimited
t=$SECONDS
(cd $run && exec timeout 700 $top/build/arm64/ptvm --kernel "$GUEST_KERNEL" \
	--initrd $top/build/e2e/arm64-hostile.cpio.gz --mem 512M --cpus 2 "${devs[@]}" --stats \
	--cmdline "console=ttyS0 quiet panic=-1 iomem=relaxed ptvm.seed=$seed ptvm.rounds=2" \
	</dev/null >$log 2>&1)
rc=$?
echo "# seed $seed; the hostile guest under ptvm: $((SECONDS - t)) s (wall in L1)"
tap_check "hostile guest: ptvm exited 0, the guest powered off (got $rc)" [ $rc = 0 ]
tap_check "ptvm did not die of a signal and left no core" \
	sh -c "[ $rc -lt 124 ] && ! ls $run | grep -q core"
ndev=$(echo $BDFS | wc -w)
for p in config msix bars msi wide; do
	n=$(grep -ac "PTVM-HOSTILE phase=$p done" $log)
	want=$ndev
	[ $p = bars ] && want=1 # one phase over all devices together
	tap_check "phase $p done ($n of $want marker lines)" [ "$n" = $want ]
done
tap_check "the guest finished its attack (PTVM-HOSTILE-DONE)" grep -qa "PTVM-HOSTILE-DONE" $log
tap_check "the guest's RAM stayed RAM under BARs placed on it" \
	sh -c "grep -qa 'phase=bars done ram-intact=1' $log && ! grep -qa 'ram-intact=0' $log"
tap_check "the GIC's distributor stayed the GIC under BARs placed on it" \
	sh -c "grep -qa 'phase=bars done .*irqchip-intact=1' $log && ! grep -qa 'irqchip-intact=0' $log"
ign=$(grep -a "ptvm: stats: .*ignored:" $log | tr -d '\r')
sum() { echo "$ign" | sed -n "s/.*$1 \([0-9]*\).*/\1/p" | awk '{s += $1} END {print s + 0}'; }
tap_check "--stats counted read-only config writes ($(sum 'read only writes'))" [ "$(sum 'read only writes')" -gt 0 ]
tap_check "--stats counted bad MSI-X table/PBA accesses ($(sum 'msix bad'))" [ "$(sum 'msix bad')" -gt 0 ]
# Bad config accesses through raw ECAM: an unaligned one faults in the
# guest itself on arm64 hardware (SIGBUS: hostile's sigbus= counts them;
# QEMU's TCG lets them through to KVM, and ptvm's host bridge counts them
# as bad accesses); an 8-byte one (hostile's ecam8=) is no config access
# for ptvm's host bridge: it reads all-ones and counts as unhandled MMIO.
bridge=$(grep -a "ptvm: stats: host bridge:" $log | tr -d '\r' | sed -n 's/.*bad access \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
unh=$(grep -a "ptvm: stats: mmio:" $log | tr -d '\r' | sed -n 's/.*unhandled \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
cfgdone=$(grep -a "phase=config done" $log | tr -d '\r')
e8=$(echo "$cfgdone" | sed -n 's/.* ecam8=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
bus=$(echo "$cfgdone" | sed -n 's/.* sigbus=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
tap_check "--stats counted the bad config accesses: host bridge $bridge (the guest's own faults: $bus), devices $(sum 'bad config'); the guest's $e8 8-byte ECAM accesses among $unh unhandled MMIO" \
	sh -c "[ $((bridge + bus)) -gt 0 ] && [ $e8 -gt 0 ] && [ $unh -ge $e8 ]"
# The wide phase's 16-byte loads (ldp) from trapped pages: KVM cannot
# decode them; ptvm answers each with an external data abort, which the
# guest's program takes as SIGBUS, and counts the exits (arm_nisv).
wide=$(grep -a "phase=wide done" $log | tr -d '\r')
wloads=$(echo "$wide" | sed -n 's/.* loads=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
wbus=$(echo "$wide" | sed -n 's/.* sigbus=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
nisv=$(grep -a "ptvm: stats: vm exits:" $log | tr -d '\r' | sed -n 's/.*arm nisv \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
tap_check "wide: every undecodable load pair ($wloads) came back to the guest as SIGBUS ($wbus), counted by ptvm (arm_nisv $nisv)" \
	sh -c "[ $wloads -gt 0 ] && [ $wbus = $wloads ] && [ $nisv -ge $wloads ]"
warn=$(grep -ac "bad accesses so far" $log)
tap_check "ptvm warned of the bad accesses, rate-limited ($warn lines)" sh -c "[ '$warn' -ge 1 ] && [ '$warn' -lt 1000 ]"
grep -aE "PTVM-HOSTILE|PTVM-DMESG|ptvm:" $log | tr -d '\r' | head -90 | tap_diag
[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | grep -av "^ptvm: stats" | tail -n 25 | tap_diag; }
dmesg | tail -n +$((dmesg_before + 1)) >$OUT/dmesg-l1.log
faults=$(grep -ciE "arm-smmu-v3.*(event|fault)|smmu.*evt" $OUT/dmesg-l1.log)
echo "# L1 dmesg during the hostile run: $(wc -l <$OUT/dmesg-l1.log) lines, $faults SMMU event lines"
head -20 $OUT/dmesg-l1.log | tap_diag
tap_check "L1: no SMMU fault storm ($faults event lines)" [ "$faults" -lt 50 ]
tap_check "L1: no oops, BUG or WARNING in dmesg" \
	sh -c "! grep -qE 'BUG|Oops|WARNING|Internal error|Call trace|segfault' $OUT/dmesg-l1.log"
bound=0
for b in $BDFS; do [ "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" = vfio-pci ] && bound=$((bound + 1)); done
tap_check "the devices are still bound to vfio-pci" [ $bound = $ndev ]
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"

# ---- the same drive, a normal guest ----
log=$OUT/nvme.log
t=$SECONDS
timeout -k 60 300 build/arm64/ptvm --kernel "$GUEST_KERNEL" --initrd build/e2e/arm64-nvme.cpio.gz --mem 512M \
	--cpus 2 --device "$nvme" --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0" </dev/null >$log 2>&1
rc=$?
echo "# the NVMe guest under ptvm: $((SECONDS - t)) s (wall in L1)"
tap_check "after it: a normal NVMe guest writes, reads back and compares 8 MiB, exit 0 (got $rc)" \
	sh -c "[ $rc = 0 ] && grep -qa PTVM-RW-OK $log"
grep -aE "PTVM-RW|PTVM-NVME|PTVM-IRQ|ptvm:" $log | tr -d '\r' | tap_diag
