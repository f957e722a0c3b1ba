#!/usr/bin/env bash
# ptvm's arm64 ELF kernels end to end: tests/e2e/guest/arm64-probe, a
# freestanding arm64 ELF guest (pvh-probe's twin), under build/arm64/ptvm
# in one arm64 L1 (scripts/nested-arm64) with QEMU's edu device bound to
# vfio-pci:
#   edu     2 vCPUs, 256 MiB, edu passed through, a command line: the
#           probe's entry state (e_entry, EL1, MMU off, DAIF masked, x0);
#           PSCI's version; from the device tree in x0: the RAM, bootargs,
#           the console it then prints on, the CPUs (one on, one off until
#           CPU_ON, as PSCI says), ECAM; the IDs it read through ECAM; edu
#           answering at its BAR0; PSCI SYSTEM_OFF: exit 0
#   plain   1 vCPU, 128 MiB, no device, ptvm's default command line
#   big-endian, bad-entry   copies of the probe with a byte or eight
#           patched (e_ident[EI_DATA], e_entry): exit 1, ptvm's one line
#   the rest that works the same on both arches, cheaply with the probe:
#           `ptvm probe` (and --json), unbind and bind; a probe that holds
#           (probe.hold) under --cpu-affinity, --realtime, --hugepages,
#           --halt-poll 0 and --stats=json: every thread under seccomp,
#           the vCPU thread SCHED_FIFO on its CPU, RAM locked and on
#           hugepages, SIGUSR1 writes the JSON, SIGTERM finds no listener
#           for the power button and stops it at once (143);
#           --disable-exits refused in one line (x86 only)
# Skipped only when the host has no qemu-system-aarch64 or no
# aarch64-linux-gnu-gcc (scripts/setup installs both).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

probe=build/tests/arm64-probe
be=build/e2e/arm64-probe-be badentry=build/e2e/arm64-probe-badentry
if [ "${1:-}" != --in-l1 ]; then
	for c in qemu-system-aarch64 aarch64-linux-gnu-gcc; do
		command -v $c >/dev/null && continue
		echo "1..0 # SKIP no $c on the host (scripts/setup installs it)"
		exit 0
	done
	tap_plan 33
	t0=$SECONDS
	ninja build/arm64/ptvm arm64-probe >/dev/null 2>&1 ||
		ninja build/arm64/ptvm arm64-probe 2>&1 | tail -20 | tap_diag
	tap_check "ptvm for arm64 and the probe build (ninja build/arm64/ptvm arm64-probe)" \
		sh -c "[ -x build/arm64/ptvm ] && [ -s $probe ]"
	# ELF64 header: EI_DATA at 5 (2: ELFDATA2MSB), e_entry at 24 (LE 64-bit:
	# 0x40000000, in RAM but below the segment at 0x40080000)
	mkdir -p build/e2e
	cp $probe $be && printf '\002' | dd of=$be bs=1 seek=5 conv=notrunc 2>/dev/null
	cp $probe $badentry && printf '\000\000\000\100\000\000\000\000' |
		dd of=$badentry bs=1 seek=24 conv=notrunc 2>/dev/null
	out=$(mktemp -d)
	scripts/nested-arm64 -t 300 -o "$out" -d edu -- bash tests/e2e/arm64-elf.t --in-l1 ||
		echo "# nested-arm64: exit $?"
	echo "# wall time: the whole file $((SECONDS - t0)) s"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
edu=$BDFS
# run NAME ARGS...: build/arm64/ptvm ARGS; rc; the console (\r dropped) in
# log=$OUT/NAME.log, ptvm's own lines in err=$OUT/NAME.err
run() {
	local name=$1 t
	shift
	t=$(date +%s%N)
	timeout -k 10 60 build/arm64/ptvm "$@" </dev/null >$OUT/$name.raw 2>$OUT/$name.err
	rc=$?
	tr -d '\r' <$OUT/$name.raw >$OUT/$name.log
	log=$OUT/$name.log err=$OUT/$name.err
	echo "# $name: exit $rc after $((($(date +%s%N) - t) / 1000000)) ms wall in L1"
}
line() { grep -qxF "$1" $log; }
lines() { grep -qxE "$1" $log; }
# the probe's lines for the record; ptvm's too
show() { cat $log $err | tap_diag; }

run edu --kernel $probe --mem 256M --cpus 2 --device $edu --cmdline "hello from ptvm"
tap_check "edu: the probe powered off through PSCI SYSTEM_OFF, no step failed: exit 0 (got $rc)" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 $log)\" = 'PROBE-OFF psci system_off' ] && ! grep -q FAIL $log"
tap_check "edu: entered at e_entry 0x40080000 at EL1, MMU off, DAIF masked" \
	lines "PROBE-ENTRY pc 0x40080000 el1 mmu off daif 0x000003c0 x0 0x[0-9a-f]{8}"
x0=$(sed -n 's/^PROBE-ENTRY .* x0 \(0x[0-9a-f]*\)$/\1/p' $log)
tap_check "edu: x0 ($x0) is in the top MiB of the 256 MiB of RAM, above the probe" \
	sh -c "[ -n '$x0' ] && [ \$(($x0)) -ge \$((0x4ff00000)) ] && [ \$(($x0)) -lt \$((0x50000000)) ]"
v=$(sed -n 's/^PROBE-PSCI version \([0-9]*\)\.\([0-9]*\)$/\1 \2/p' $log)
tap_check "edu: PSCI ${v/ /.} on HVC, 0.2 or later" \
	sh -c "set -- $v; [ \$# = 2 ] && [ \$((\$1 * 65536 + \$2)) -ge 2 ]"
tap_check "edu: the device tree at x0: magic 0xd00dfeed, version 17, 2 address and size cells" \
	lines "PROBE-FDT magic 0xd00dfeed version 17 totalsize 0x[0-9a-f]{8} cells 2 2"
tap_check "edu: --mem 256M: /memory's reg is 0x40000000, 0x10000000" \
	line "PROBE-MEMORY reg 0x40000000 size 0x10000000"
tap_check "edu: /chosen's bootargs is the --cmdline" line 'PROBE-BOOTARGS "hello from ptvm"'
tap_check "edu: the console it prints on: stdout-path /uart@1000000, a ns16550a at 0x01000000" \
	sh -c "grep -qxF 'PROBE-STDOUT \"/uart@1000000\"' $log && grep -qxF 'PROBE-UART reg 0x01000000 size 0x00001000' $log &&
		grep -qxF 'PROBE-UART-COMPATIBLE \"ns16550a\"' $log"
tap_check "edu: --cpus 2: two cpu nodes; PSCI has the boot CPU on and the other off until CPU_ON" \
	sh -c "[ \"\$(grep ^PROBE-CPU $log | tr '\n' ';')\" = 'PROBE-CPU reg 0x00000000 psci on;PROBE-CPU reg 0x00000001 psci off;' ]"
tap_check "edu: /pcie's reg: ECAM at 0x3f000000, 1 MiB (bus 0)" \
	line "PROBE-ECAM reg 0x3f000000 size 0x00100000"
tap_check "edu: through ECAM: the host bridge 1b36:0008 at 00:00.0, edu 1234:11e8 at 00:01.0, nothing else" \
	sh -c "[ \"\$(grep ^PROBE-PCI $log | tr '\n' ';')\" = 'PROBE-PCI 00:00.0 1b36:0008;PROBE-PCI 00:01.0 1234:11e8;' ]"
tap_check "edu: BAR0 in the 32-bit window, memory decoding on; ident 0x010000ed, liveness inverted" \
	lines "PROBE-EDU 00:01.0 bar0 0x1[0-9a-f]{7} command 0x[0-9a-f]{3}[2367abef] ident 0x010000ed liveness ok"
tap_check "edu: ptvm said nothing" [ ! -s $err ]
show
tap_check "edu: the device is still bound to vfio-pci" \
	[ "$(basename "$(readlink /sys/bus/pci/devices/$edu/driver)")" = vfio-pci ]

run plain --kernel $probe --mem 128M --cpus 1
tap_check "plain: exit 0 after SYSTEM_OFF, no step failed (got $rc)" \
	sh -c "[ $rc = 0 ] && [ \"\$(tail -n 1 $log)\" = 'PROBE-OFF psci system_off' ] && ! grep -q FAIL $log"
tap_check "plain: --mem 128M: /memory's reg is 0x40000000, 0x08000000" \
	line "PROBE-MEMORY reg 0x40000000 size 0x08000000"
tap_check "plain: no --cmdline: ptvm's default bootargs" line 'PROBE-BOOTARGS "console=ttyS0 panic=-1"'
tap_check "plain: --cpus 1: one cpu node, on" \
	sh -c "[ \"\$(grep ^PROBE-CPU $log | tr '\n' ';')\" = 'PROBE-CPU reg 0x00000000 psci on;' ]"
tap_check "plain: no device: only the host bridge on bus 0" \
	sh -c "[ \"\$(grep ^PROBE-PCI $log | tr '\n' ';')\" = 'PROBE-PCI 00:00.0 1b36:0008;' ]"
show

# refusals: before any vCPU runs, one line naming the file and the fix
run big-endian --kernel $be --mem 128M
tap_check "big-endian ELF: exit 1 (got $rc), one line" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l <$err) = 1 ] && [ ! -s $log ] &&
		grep -qxF 'ptvm: $be: not an arm64 ELF executable (little-endian EM_AARCH64, ET_EXEC), or a header or segment past the end of the file' $err"
show
run bad-entry --kernel $badentry --mem 128M
tap_check "e_entry outside the segment: exit 1 (got $rc), one line" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l <$err) = 1 ] && [ ! -s $log ] &&
		grep -qxF 'ptvm: $badentry: the entry 0x40000000 is in no loadable segment (fix e_entry)' $err"
show
# ---- what works the same on both arches ----
out=$(build/arm64/ptvm probe $edu)
rc=$?
tap_check "probe $edu (bound to vfio-pci): ready, exit 0 (got $rc)" \
	sh -c "[ $rc = 0 ] && echo '$out' | grep -qi 'ready'"
echo "$out" | tap_diag
build/arm64/ptvm probe $edu --json >$OUT/probe.json
tap_check "probe --json: the verdict" grep -q '"verdict": "ready' $OUT/probe.json
build/arm64/ptvm unbind $edu >$OUT/unbind.log 2>&1
u=$(basename "$(readlink /sys/bus/pci/devices/$edu/driver)" 2>/dev/null)
build/arm64/ptvm bind $edu >$OUT/bind.log 2>&1
b=$(basename "$(readlink /sys/bus/pci/devices/$edu/driver)" 2>/dev/null)
tap_check "unbind lets edu go (driver now '${u:-none}'), bind takes it back to vfio-pci ($b)" \
	sh -c "[ '$u' != vfio-pci ] && [ '$b' = vfio-pci ]"
cat $OUT/unbind.log $OUT/bind.log | tap_diag

# 128 MiB of 2 MiB pages for the guest's RAM
echo 64 >/proc/sys/vm/nr_hugepages
hfree0=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
build/arm64/ptvm --kernel $probe --mem 128M --cpus 1 --device $edu --cpu-affinity 0 --realtime \
	--hugepages --halt-poll 0 --stats=json:$OUT/hold.json --cmdline "probe.hold" \
	</dev/null >$OUT/hold.raw 2>$OUT/hold.err &
pid=$!
for i in $(seq 300); do grep -q PROBE-HOLD $OUT/hold.raw 2>/dev/null && break; sleep 0.1; done
tap_check "hold: the probe runs under --cpu-affinity 0 --realtime --hugepages --halt-poll 0" grep -q PROBE-HOLD $OUT/hold.raw
nthr=0 nsec=0 nfifo=0
for t in /proc/$pid/task/*; do
	nthr=$((nthr + 1))
	grep -qx 'Seccomp:[[:space:]]*2' $t/status && nsec=$((nsec + 1))
	# field 41 of stat: the scheduling policy (1: SCHED_FIFO)
	[ "$(sed 's/.*) //' $t/stat | awk '{print $39}')" = 1 ] && nfifo=$((nfifo + 1))
done
tap_check "hold: every thread of ptvm ($nsec of $nthr) is under the seccomp filter" \
	sh -c "[ $nthr -ge 2 ] && [ $nsec = $nthr ]"
tap_check "hold: one thread, the vCPU's, is SCHED_FIFO (got $nfifo)" [ $nfifo = 1 ]
lck=$(awk '/VmLck/ {print $2}' /proc/$pid/status)
hfree=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
tap_check "hold: memory locked (VmLck $lck kB), guest RAM on 64 hugepages ($hfree0 free before, $hfree now)" \
	sh -c "[ ${lck:-0} -gt 0 ] && [ $((hfree0 - hfree)) = 64 ]"
kill -USR1 $pid
for i in $(seq 50); do grep -q '"timeline_ms"' $OUT/hold.json 2>/dev/null && break; sleep 0.1; done
tap_check "hold: SIGUSR1 writes --stats=json (its timeline and MMIO counters)" \
	sh -c "grep -q '\"timeline_ms\"' $OUT/hold.json && grep -q '\"mmio\":{\"uart\":[1-9]' $OUT/hold.json"
term_wait $pid 30
rc=$?
tap_check "hold: SIGTERM, and no one hears the power button: stopped at once, exit 143 (got $rc)" \
	sh -c "[ $rc = 143 ] && grep -q 'has not enabled its power button, gpio-keys on the PL061' $OUT/hold.err"
cat $OUT/hold.err | tap_diag
echo 0 >/proc/sys/vm/nr_hugepages

run exits --kernel $probe --mem 128M --disable-exits hlt
tap_check "--disable-exits: refused in one line, exit 1 (got $rc): arm64's KVM has no such control" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l <$err) = 1 ] && grep -q -- '--disable-exits' $err"
show
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
