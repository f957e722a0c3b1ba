#!/usr/bin/env bash
# Boot: Debian's kernel and a busybox initramfs boot to init under ptvm in
# the nested sandbox, with 1 and 2 vCPUs; the guest sees its CPUs, the host
# bridge and ECAM; poweroff exits 0, reboot exits 3, SIGTERM exits 143.
# nested-shared:
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 17
	scripts/guest-initrd build/e2e/boot.cpio.gz tests/e2e/guest/boot-init.sh \
		-- tests/e2e/guest/common.sh:common.sh
	scripts/nested -t 900 -- bash tests/e2e/boot.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
log=$OUT
run() { # run NAME ARGS...: ptvm with the boot guest; console in $log/NAME.log
	local name=$1
	shift
	timeout -k 60 300 build/ptvm --kernel "$kernel" --initrd build/e2e/boot.cpio.gz \
		--mem 512M "$@" </dev/null >"$log/$name.log" 2>&1
}

run cpu1 --stats=json:$log/cpu1.json --cmdline "console=ttyS0 quiet panic=-1"
rc=$?
tap_check "1 vCPU: ptvm exits 0 on guest poweroff" [ $rc = 0 ]
tap_check "1 vCPU: the guest reached init and saw 1 CPU" grep -qE "PTVM-INIT cpus=1 online=0\s*$" $log/cpu1.log
tap_check "the guest sees the host bridge 1b36:0008 and nothing else" \
	[ "$(grep PTVM-PCI $log/cpu1.log | tr -d '\r')" = "PTVM-PCI 0000:00:00.0 0x1b36:0x0008 class=0x060000" ]
tap_check "the guest uses ECAM at 0xe0000000 for bus 0" \
	grep -q "MMCONFIG for domain 0000 \[bus 00-00\] at \[mem 0xe0000000-0xe00fffff\]" $log/cpu1.log
tap_check "ECAM is accepted (reserved, not rejected)" \
	sh -c "! grep -qiE 'MMCONFIG.*(not reserved|reject)' $log/cpu1.log"
# 6.1 checks the e820 map early ("reserved in E820") and then uses ECAM; a
# kernel that checks only late looks for the PNP0C02 device, and newer ones
# say "reserved as": any of these lines says that it is in use.
tap_check "the guest checked the ECAM window's reservation and uses MMCONFIG" \
	grep -qE "MMCONFIG at \[mem 0xe0000000-0xe00fffff\] reserved (in|as) (E820|ACPI motherboard resource)" $log/cpu1.log
# One bus: Linux probes every bus up to the MCFG's end bus for peer host
# bridges, 32 reads a bus. Past bus 0, an AMD guest still probes for its
# northbridges, and ptvm cannot tell it that there are none: 2 reads of
# ff:00.0 (arch/x86/pci/amd_bus.c) and, with no ACPI SRAT to take NUMA
# nodes from, function 3 of every slot of buses 0xfe and 0xff
# (amd_numa_init, arch/x86/mm/amdtopology.c): 66 (measured on 6.1 with L1's
# family 16h CPU), plus a little room. A family with a GART (K8, 10h, early
# 15h) also searches for an AGP bridge on buses 1-255, twice
# (arch/x86/kernel/aperture_64.c): 16,448 reads more. One peer-bridge scan
# of a single extra bus (32 reads) fails this check.
absent=$(python3 -c "import json; print(json.load(open('$log/cpu1.json'))['host_bridge']['absent_other_buses'])")
gart=0
grep -q "Checking aperture" $log/cpu1.log && gart=16448
tap_check "config reads of other buses: $absent, at most the AMD probes' 66 (+8) and the GART search's $gart" \
	[ "$absent" -le $((gart + 66 + 8)) ]
grep -E "PTVM-|rror" $log/cpu1.log | tap_diag

run cpu2 --cpus 2 --cmdline "console=ttyS0 quiet panic=-1"
rc=$?
tap_check "2 vCPUs: ptvm exits 0 on guest poweroff" [ $rc = 0 ]
tap_check "2 vCPUs: the guest saw 2 CPUs online" grep -q "PTVM-INIT cpus=2 online=0-1" $log/cpu2.log

run mem4g --mem 4G --cmdline "console=ttyS0 quiet panic=-1"
rc=$?
tap_check "--mem 4G: the guest powered off (exit $rc)" [ $rc = 0 ]
tap_check "--mem 4G: the e820 map puts RAM above 4 GiB" \
	grep -q "PTVM-E820.*mem 0x0000000100000000-0x000000013fffffff\] usable" $log/mem4g.log
tap_check "--mem 4G: the guest sees more than 3.5 GiB" \
	[ "$(grep -a PTVM-MEM $log/mem4g.log | tr -d '\r' | awk '{print $2}')" -gt 3600000 ]

run reboot --cmdline "console=ttyS0 quiet panic=-1 ptvm.end=reboot"
rc=$?
tap_check "guest reboot: ptvm exits 3" [ $rc = 3 ]
tap_check "guest reboot: it got there" grep -q PTVM-REBOOTING $log/reboot.log

# --reboot restarts the guest: it boots twice, then we stop it with SIGTERM.
build/ptvm --kernel "$kernel" --initrd build/e2e/boot.cpio.gz --mem 512M --reboot \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.end=reboot" </dev/null >$log/again.log 2>&1 &
pid=$!
for i in $(seq 300); do [ "$(grep -c PTVM-INIT $log/again.log)" -ge 2 ] && break; sleep 1; done
term_wait $pid
rc=$?
tap_check "--reboot: the guest booted again after its reboot" [ "$(grep -c PTVM-INIT $log/again.log)" -ge 2 ]
tap_check "SIGTERM: ptvm exits 143" [ $rc = 143 ]
tap_check "SIGTERM: no ptvm process left" sh -c "! pgrep -x ptvm"
