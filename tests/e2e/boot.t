#!/usr/bin/env bash
# Boot: Debian's kernel and a busybox initramfs boot to init under ptvm in
# the nested sandbox, with 1 and 2 vCPUs; the guest sees its CPUs, the host
# bridge and ECAM; poweroff exits 0, reboot exits 3, SIGTERM exits 143.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 15
	scripts/guest-initrd build/e2e/boot.cpio.gz tests/e2e/guest/boot-init.sh \
		-- tests/e2e/guest/common.sh:common.sh
	scripts/nested -t 900 -- bash tests/e2e/boot.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1 ----
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
log=$OUT
run() { # run NAME ARGS...: ptvm with the boot guest; console in $log/NAME.log
	local name=$1
	shift
	timeout 300 build/ptvm --kernel "$kernel" --initrd build/e2e/boot.cpio.gz \
		--mem 512M "$@" </dev/null >"$log/$name.log" 2>&1
}

run cpu1 --cmdline "console=ttyS0 quiet panic=-1"
rc=$?
tap_check "1 vCPU: ptvm exits 0 on guest poweroff" [ $rc = 0 ]
tap_check "1 vCPU: the guest reached init and saw 1 CPU" grep -qE "PTVM-INIT cpus=1 online=0\s*$" $log/cpu1.log
tap_check "the guest sees the host bridge 1b36:0008 and nothing else" \
	[ "$(grep PTVM-PCI $log/cpu1.log | tr -d '\r')" = "PTVM-PCI 0000:00:00.0 0x1b36:0x0008 class=0x060000" ]
tap_check "the guest uses ECAM at 0xe0000000 for bus 0" \
	grep -q "MMCONFIG for domain 0000 \[bus 00-00\] at \[mem 0xe0000000-0xe00fffff\]" $log/cpu1.log
tap_check "ECAM is accepted (reserved, not rejected)" \
	sh -c "! grep -qiE 'MMCONFIG.*(not reserved|reject)' $log/cpu1.log"
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
kill -TERM $pid
wait $pid
rc=$?
tap_check "--reboot: the guest booted again after its reboot" [ "$(grep -c PTVM-INIT $log/again.log)" -ge 2 ]
tap_check "SIGTERM: ptvm exits 143" [ $rc = 143 ]
tap_check "SIGTERM: no ptvm process left" sh -c "! pgrep -x ptvm"
