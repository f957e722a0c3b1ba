#!/usr/bin/env bash
# ptvm's arm64 build end to end: one arm64 L1 (scripts/nested-arm64) with
# an NVMe drive, an AHCI drive and an e1000e bound to vfio-pci, and four
# runs of build/arm64/ptvm booting Debian's arm64 kernel (PTVM_KVER_ARM64),
# each guest doing what several x86 scenarios do apart (boot.t, nvme.t,
# net.t, multi.t, shutdown.t); one init for all of them,
# tests/e2e/guest/arm64-init.sh:
#   multi   2 vCPUs, 256 MiB, the three devices on MSI(-X) through the
#           ITS: the NVMe marker and 8 MiB O_DIRECT compare (the bytes
#           checked in the image on the host), the AHCI marker, e1000e
#           link-local pings to L1's own NIC; the guest's CPUs, RAM, PCI
#           functions and ECAM; it reboots at the end: exit 3
#   intx    1 vCPU, 256 MiB, pci=nomsi: the NVMe drive's 8 MiB compare on
#           INTx (a GICv3 SPI, level); no gpio_keys module: SIGTERM stops
#           it at once (143) with ptvm's one line
#   reboot  --reboot, 2 vCPUs: the guest reboots once (a token on the NVMe
#           drive tells the second boot), then listens to the power button
#           (PL061 line 3, gpio-keys, KEY_POWER): SIGTERM presses it, the
#           guest writes a record to the drive and powers off: exit 0
#   ignore  1 GiB, no device; gpio_keys loaded, nobody listening: SIGTERM,
#           then 143 at the --shutdown-timeout 5 deadline
# After each: the devices are still bound to vfio-pci, no ptvm is left.
# --stats=json, read on the host: the vectors ptvm routed (MSI-X, MSI,
# none under pci=nomsi), no MMIO outside the platform's devices, the
# shutdown timeline. Diagnostics give each run's wall time in L1, the
# guest's uptime at each step, and the whole file's wall time.
# Skipped only when the host has no qemu-system-aarch64 or no
# aarch64-linux-musl-gcc (scripts/setup installs both).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

nvme_img=build/e2e/arm64-core-nvme.img ahci_img=build/e2e/arm64-core-ahci.img
# the NVMe drive's layout, in MiB: 8 MiB written by the multi guest at 16,
# by the intx guest at 0; the reboot guest's token at 48 and its record
# written after the press at 52; the marker at 40 (put_marker)
rw_multi=16 rw_intx=0 rw_reset=8 token=48 pressed=52
if [ "${1:-}" != --in-l1 ]; then
	for c in qemu-system-aarch64 aarch64-linux-musl-gcc; do
		command -v $c >/dev/null && continue
		echo "1..0 # SKIP no $c on the host (scripts/setup installs it)"
		exit 0
	done
	tap_plan 51
	t0=$SECONDS
	# (flock: scenarios run side by side, and two ninjas must not share
	# build/'s logs)
	mkdir -p build/e2e
	flock build/e2e/.arm64-ninja.lock ninja build/arm64/ptvm >/dev/null ||
		{ echo "Bail out! ninja build/arm64/ptvm failed"; exit 1; }
	scripts/guest-initrd -a arm64 build/e2e/arm64-core.cpio.gz tests/e2e/guest/arm64-init.sh \
		nvme ahci sd_mod e1000e gpio_keys evdev -- tests/e2e/guest/common.sh:common.sh
	blank_image $nvme_img 64M
	blank_image $ahci_img 64M
	nmark="arm64-nvme-$RANDOM$RANDOM" amark="arm64-ahci-$RANDOM$RANDOM"
	put_marker $nvme_img "$nmark"
	put_marker $ahci_img "$amark"
	out=$(mktemp -d)
	scripts/nested-arm64 -t 1500 -o "$out" -d nvme:$nvme_img -d ahci:$ahci_img -d e1000e \
		-- bash tests/e2e/arm64.t --in-l1 || echo "# nested-arm64: exit $?"
	# ---- what the guests left in the images, and ptvm's --stats ----
	field() { grep -a "$1" "$out/$2.log" 2>/dev/null | tr -d '\r' | head -n 1 | awk '{print $2}'; }
	md5() { dd if=$nvme_img bs=1M skip=$1 count=8 2>/dev/null | md5sum | cut -c1-32; }
	block() { dd if=$nvme_img bs=1M skip=$1 count=1 2>/dev/null | head -c 64 | tr -d '\000'; }
	tap_check "multi: NVMe: the guest read the marker the test wrote into the image" \
		[ "$(field PTVM-MARKER multi)" = "$nmark" ]
	sum=$(field PTVM-RW-OK multi) host=$(md5 $rw_multi)
	tap_check "multi: NVMe: the image holds the 8 MiB the guest wrote (md5 $host)" [ "${sum:-none}" = "$host" ]
	tap_check "multi: AHCI: the guest read the marker the test wrote into the image" \
		[ "$(field PTVM-AHCI multi)" = "$amark" ]
	sum=$(field PTVM-RW-OK intx) host=$(md5 $rw_intx)
	tap_check "intx: the image holds the 8 MiB the guest wrote on INTx (md5 $host)" [ "${sum:-none}" = "$host" ]
	sum=$(field PTVM-RW-AFTER-OK intx) host=$(dd if=$nvme_img bs=1M skip=$rw_reset count=4 2>/dev/null | md5sum | cut -c1-32)
	tap_check "intx: ... and the 4 MiB it wrote after its reset (md5 $host)" [ "${sum:-none}" = "$host" ]
	tap_check "reboot: the image holds the first boot's token" [ "$(block $token)" = PTVM-BOOTED-ONCE ]
	tap_check "reboot: the image holds the record the guest wrote after the button press" \
		[ "$(block $pressed)" = PTVM-PRESSED-AND-WROTE ]
	# per device in --device order: how many MSI-X and MSI vectors ptvm
	# routed ("MSIX MSI" a line)
	routes() {
		python3 -c 'import json, sys
for d in json.load(open(sys.argv[1]))["devices"]:
    r = d["vector_routes"]
    x = sum(1 for k in r if k.startswith("msix"))
    print(x, len(r) - x)' "$out/$1.json" 2>/dev/null
	}
	set -- $(routes multi)
	tap_check "multi --stats: ptvm routed the NVMe drive's MSI-X vectors (${1:-?}), AHCI's MSI (${4:-?}), e1000e's MSI-X (${5:-?})" \
		sh -c "[ ${1:-0} -gt 1 ] && [ ${4:-0} -ge 1 ] && [ ${5:-0} -ge 1 ]"
	set -- $(routes intx)
	tap_check "intx --stats: no MSI or MSI-X vector was routed (MSI-X ${1:-?}, MSI ${2:-?})" \
		[ "${1:-x} ${2:-x}" = "0 0" ]
	for n in multi intx reboot ignore; do
		python3 -c "import json,sys; j=json.load(open(sys.argv[1])); [print('$n:', k, j[k]) for k in ('vm_exits', 'pio', 'mmio', 'host_bridge', 'ram_dma', 'timeline_ms')]" \
			"$out/$n.json" 2>&1 | tap_diag
	done
	tap_check "every run's --stats: the guest's MMIO all went to the platform's devices (none unhandled), ECAM was trapped, no bad config access" \
		python3 -c "import json,sys
for p in sys.argv[1:]:
    j = json.load(open(p))
    assert j['mmio']['unhandled'] == 0 and j['mmio']['ecam'] > 0 and j['host_bridge']['bad_access'] == 0, p" \
		"$out"/{multi,intx,reboot,ignore}.json
	# (arm64's guests power off through PSCI SYSTEM_OFF, a KVM_EXIT_SYSTEM_EVENT:
	# the loop stamps t_poweroff when it takes that exit)
	tap_check "reboot --stats=json: the shutdown request, then the guest's poweroff, on the timeline" \
		python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timeline_ms']; sys.exit(not 0 < t['shutdown_request'] <= t['guest_poweroff'])" \
		"$out/reboot.json"
	tap_check "ignore --stats=json: a shutdown request, no poweroff" \
		python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['timeline_ms']; sys.exit(not (t['shutdown_request'] > 0 and t['guest_poweroff'] == -1))" \
		"$out/ignore.json"
	tap_diag <"$out/times" 2>/dev/null
	echo "# wall time: the whole file $((SECONDS - t0)) s (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
echo "# L1 boot to command: $(cut -d' ' -f1 /proc/uptime) s of L1 uptime"
set -- $BDFS
nvme=$1 ahci=$2 nic=$3
ptvm=build/arm64/ptvm
base="console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off"
ms() { echo $(($(date +%s%N) / 1000000)); }
took() { echo "$1: $(($(ms) - $2)) ms wall in L1" | tee -a $OUT/times | tap_diag; }
# launch NAME ARGS...: ptvm in the background (pid) with the guest's
# kernel and initrd; console in $OUT/NAME.log, ptvm's messages in NAME.err
launch() {
	local name=$1
	shift
	$ptvm --kernel "$GUEST_KERNEL" --initrd build/e2e/arm64-core.cpio.gz \
		--stats=json:$OUT/$name.json "$@" </dev/null >$OUT/$name.log 2>$OUT/$name.err &
	pid=$!
}
# stuck NAME: ptvm ($pid) still runs a guest that should be further: its
# threads as L1's kernel has them (a vCPU waiting for its answer is in
# futex, the loop in epoll_pwait, a vCPU in its guest in ioctl) and its
# counters then (SIGUSR1 rewrites NAME.json), for the record
stuck() {
	local t
	echo "# $1: the guest is stuck; ptvm's threads:"
	for t in /proc/$pid/task/*; do
		echo "# thread ${t##*/} $(cut -d' ' -f3 $t/stat) wchan=$(cat $t/wchan) syscall=$(cut -d' ' -f1-3 $t/syscall)"
		sed 's/^/#     /' $t/stack 2>/dev/null
	done
	kill -USR1 $pid
	sleep 2
	grep -o '"vm_exits":{[^}]*}\|"mmio":{[^}]*}\|"ram_dma":{[^}]*}\|"timeline_ms":{[^}]*}' $OUT/$1.json | sed "s/^/# $1: then: /"
}
# ready NAME SECS: waits up to SECS for the guest's PTVM-READY
ready() {
	local i
	for i in $(seq $(($2 * 5))); do
		grep -q PTVM-READY $OUT/$1.log 2>/dev/null && return
		kill -0 $pid 2>/dev/null || return
		sleep 0.2
	done
	stuck $1
}
# ended NAME SECS: waits up to SECS for ptvm to end by itself (else it is
# stuck, and killed); rc
ended() {
	local i
	for i in $(seq $(($2 * 5))); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 $pid 2>/dev/null; then
		stuck $1
		kill -KILL $pid
	fi
	{ wait $pid; } 2>/dev/null
	rc=$?
}
# stop: SIGTERM, then wait for ptvm (at most 60 s): rc, and elapsed ms
stop() {
	local t
	t=$(ms)
	term_wait $pid 60
	rc=$?
	elapsed=$(($(ms) - t))
}
# after NAME [ok]: the guest's lines for the record; its last ones unless ok
after() {
	local name=$1
	grep -ahE "PTVM-|rror|ptvm:" $OUT/$name.log $OUT/$name.err 2>/dev/null | head -40 | tap_diag
	[ "${2:-}" = ok ] || { echo "# $name: the guest's last lines:"; tr -d '\r' <$OUT/$name.log | tail -n 25 | tap_diag; }
}
# no_ptvm: pgrep finds no ptvm (exit 1: none; not an error of its own)
no_ptvm() {
	pgrep -x ptvm
	[ $? = 1 ]
}
vfio_bound() {
	local b
	for b in "$@"; do
		[ "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" = vfio-pci ] || return 1
	done
}
# irqs LOG REGEX: the guest's /proc/interrupts lines (PTVM-IRQ) that match
# REGEX count interrupts (the per-CPU counts after the IRQ number, summed;
# not the chip's hardware IRQ number after them)
irqs() {
	awk -v re="$2" '/PTVM-IRQ/ && $0 ~ re {
		for (i = 3; i < NF && $i ~ /^[0-9]+$/; i++) s += $i } END { exit !(s > 0) }' "$1"
}
# e1000e_msix LOG: the driver's vectors are MSI-X and count on the ITS
e1000e_msix() { grep -qaE 'PTVM-IRQMODE msix\s*$' $1 && irqs $1 "ITS-MSI.*eth0"; }

# ---- multi: all three devices on MSI(-X), 2 vCPUs ----
l1_peer_up
t=$(ms)
launch multi --mem 256M --cpus 2 --device $nvme --device $ahci --device $nic \
	--cmdline "$base ptvm.nvme=$rw_multi ptvm.ahci=1 ptvm.net=1 ptvm.end=reboot"
ended multi 400
took multi $t
log=$OUT/multi.log
tap_check "multi: the guest rebooted at its end: ptvm exits 3 (got $rc)" \
	sh -c "[ $rc = 3 ] && grep -qa PTVM-REBOOTING $log"
tap_check "multi: 2 vCPUs online in the guest" grep -qaE "PTVM-INIT cpus=2 online=0-1\s*$" $log
tap_check "multi: --mem 256M: the guest's RAM is 0x40000000-0x4fffffff" \
	grep -qaE "PTVM-RAM 40000000-4fffffff : System RAM\s*$" $log
pci=$(grep -a PTVM-PCI $log | tr -d '\r' | awk '{print $2, $3, $4}' | tr '\n' ';')
echo "PCI functions: $pci" | tap_diag
tap_check "multi: the guest sees the host bridge 1b36:0008 and the NVMe, AHCI and e1000e functions" \
	[ "$pci" = "0000:00:00.0 0x1b36:0x0008 class=0x060000;0000:00:01.0 0x1b36:0x0010 class=0x010802;0000:00:02.0 0x8086:0x2922 class=0x010601;0000:00:03.0 0x8086:0x10d3 class=0x020000;" ]
tap_check "multi: the guest's PCI host driver uses ECAM at 0x3f000000 for bus 0" \
	grep -qa "ECAM at \[mem 0x3f000000-0x3f0fffff\] for \[bus 00\]" $log
tap_check "multi: NVMe: 8 MiB written and read back with O_DIRECT compare equal" grep -qa PTVM-RW-OK $log
tap_check "multi: NVMe: the nvme queues count interrupts on ITS-MSI vectors" irqs $log "ITS-MSI.*nvme"
tap_check "multi: NVMe: the guest saw more than one nvme queue vector" \
	[ "$(grep -a PTVM-IRQ $log | grep -c nvme)" -ge 2 ]
tap_check "multi: AHCI: interrupts on an ITS-MSI vector" irqs $log "ITS-MSI.*ahci"
tap_check "multi: e1000e: the driver bound, link up" \
	sh -c "grep -qa 'PTVM-NET driver=e1000e' $log && grep -qa 'PTVM-LINK carrier=1' $log"
tap_check "multi: e1000e: IPv6 link-local ping to L1 answered" grep -qaE "PTVM-PING .* 0% packet loss" $log
tap_check "multi: e1000e: the driver's interrupt mode is MSI-X, counting on ITS-MSI" e1000e_msix $log
after multi $([ $rc = 3 ] && echo ok)
tap_check "multi: the three devices are still bound to vfio-pci" vfio_bound $nvme $ahci $nic
tap_check "multi: no ptvm process left" no_ptvm

# ---- intx: pci=nomsi, 1 vCPU; no gpio_keys: SIGTERM stops it at once ----
t=$(ms)
launch intx --mem 256M --device $nvme --cmdline "$base pci=nomsi ptvm.nvme=$rw_intx ptvm.reset=$rw_reset ptvm.button=none"
ready intx 480
stop
took intx $t
log=$OUT/intx.log
tap_check "intx: 1 vCPU online in the guest" grep -qaE "PTVM-INIT cpus=1 online=0\s*$" $log
tap_check "intx: pci=nomsi: 8 MiB written and read back compare equal" grep -qa PTVM-RW-OK $log
tap_check "intx: pci=nomsi: nvme interrupts count on a GICv3 SPI, level-triggered" \
	irqs $log "GICv3 .*Level.*nvme"
tap_check "intx: the guest reset the drive by FLR through ptvm (CC non-zero before, 0 after)" \
	sh -c "grep -a '^PTVM-RESET' $log | tr -d '\r' | awk '\$3 == \"method=flr\" && \$4 == \"rc=0\" && \$5 != \"cc_before=0x00000000\" && \$6 == \"cc_after=0x00000000\"' | grep -q ."
tap_check "intx: after the reset, the driver bound again on INTx and 4 MiB compared equal" grep -qa PTVM-RW-AFTER-OK $log
tap_check "intx: the guest has no power button (no gpio_keys)" grep -qaE "PTVM-BUTTON none\s*$" $log
tap_check "intx: SIGTERM to a guest without gpio_keys: exit 143 at once (got $rc, after $elapsed ms)" \
	sh -c "[ $rc = 143 ] && [ $elapsed -lt 10000 ]"
tap_check "intx: ... with one line saying the guest has not enabled its power button" \
	sh -c "[ \$(grep -c . $OUT/intx.err) = 1 ] && grep -qF 'has not enabled its power button, gpio-keys on the PL061 (no gpio_keys driver?): stopping it now' $OUT/intx.err"
after intx $([ $rc = 143 ] && echo ok)
tap_check "intx: the drive is still bound to vfio-pci" vfio_bound $nvme
tap_check "intx: no ptvm process left" no_ptvm

# ---- reboot: --reboot, once; then the power button ----
t=$(ms)
launch reboot --mem 256M --reboot --cpus 2 --device $nvme \
	--cmdline "$base ptvm.once=$token ptvm.button=listen ptvm.pressed_off=$pressed"
ready reboot 480
stop
took reboot $t
log=$OUT/reboot.log
tap_check "reboot: --reboot: the guest rebooted once and booted again, both times with 2 vCPUs online" \
	sh -c "[ \$(grep -acE 'PTVM-INIT cpus=2 online=0-1\s*$' $log) = 2 ] && [ \$(grep -ac PTVM-REBOOTING $log) = 1 ]"
tap_check "reboot: the second boot found the first one's token on the drive" grep -qa PTVM-AGAIN $log
tap_check "reboot: the guest found gpio-keys' KEY_POWER input device" \
	grep -qaE "PTVM-BUTTON /dev/input/event[0-9]+ gpio-keys" $log
tap_check "reboot: SIGTERM to a listening guest ends in its poweroff, exit 0 (got $rc, after $elapsed ms)" [ $rc = 0 ]
tap_check "reboot: the press came as an interrupt on PL061 line 3 (gpio-keys' \"GPIO Key Poweroff\")" \
	irqs $log "pl061 +3 +Edge +GPIO Key Poweroff"
tap_check "reboot: the guest heard KEY_POWER and wrote its record before powering off" \
	sh -c "grep -qa 'PTVM-PRESSED KEY_POWER' $log && grep -qa 'PTVM-WROTE PTVM-PRESSED-AND-WROTE' $log"
tap_check "reboot: ptvm said it pressed the power button" \
	grep -q "pressed the guest's power button; stopping it in 30 s" $OUT/reboot.err
after reboot $([ $rc = 0 ] && echo ok)
tap_check "reboot: the drive is still bound to vfio-pci" vfio_bound $nvme
tap_check "reboot: no ptvm process left" no_ptvm

# ---- ignore: gpio_keys, nobody listening ----
t=$(ms)
launch ignore --mem 1G --shutdown-timeout 5 --cmdline "$base ptvm.button=ignore"
ready ignore 480
stop
took ignore $t
tap_check "ignore: --mem 1G: the guest's RAM is 0x40000000-0x7fffffff" \
	grep -qaE "PTVM-RAM 40000000-7fffffff : System RAM\s*$" $OUT/ignore.log
tap_check "ignore: the guest has gpio-keys' KEY_POWER device" grep -qaE "PTVM-BUTTON /dev/input/event[0-9]+ gpio-keys" $OUT/ignore.log
tap_check "ignore: SIGTERM to a guest that ignores the button: exit 143 (got $rc)" [ $rc = 143 ]
tap_check "ignore: ... at the 5 s deadline, not before (${elapsed} ms)" sh -c "[ $elapsed -ge 5000 ] && [ $elapsed -lt 15000 ]"
tap_check "ignore: ... and ptvm said why in one line" \
	grep -q "did not power off within 5 s of Terminated: stopped it" $OUT/ignore.err
after ignore $([ $rc = 143 ] && echo ok)
tap_check "ignore: no ptvm process left" no_ptvm
