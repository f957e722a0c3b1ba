#!/usr/bin/env bash
# Four devices at once (NVMe, AHCI on MSI, e1000e, ivshmem with a 1 GiB
# 64-bit BAR) all working in one guest; then ten runs in a row on the same
# devices, each passing, and one ptvm that reboots its guest three times
# without its descriptors or mappings growing.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

marker_off=$((40 << 20))
if [ "${1:-}" != --in-l1 ]; then
	tap_plan 14
	scripts/guest-initrd build/e2e/multi.cpio.gz tests/e2e/guest/multi-init.sh \
		nvme ahci sd_mod e1000e -- tests/e2e/guest/common.sh:common.sh
	scripts/guest-initrd build/e2e/boot.cpio.gz tests/e2e/guest/boot-init.sh \
		-- tests/e2e/guest/common.sh:common.sh
	out=$(mktemp -d)
	rm -f build/e2e/multi-*.img
	truncate -s 64M build/e2e/multi-nvme.img build/e2e/multi-ahci.img
	printf 'nvme-%s' $RANDOM | dd of=build/e2e/multi-nvme.img bs=1 seek=$marker_off conv=notrunc 2>/dev/null
	printf 'ahci-%s' $RANDOM | dd of=build/e2e/multi-ahci.img bs=1 seek=$marker_off conv=notrunc 2>/dev/null
	# What L1 puts in the shared memory behind the ivshmem BAR.
	truncate -s 1G $out/ivshmem3
	w0=$(printf '%08X' $((RANDOM << 16 | RANDOM)))
	printf "\\x${w0:6:2}\\x${w0:4:2}\\x${w0:2:2}\\x${w0:0:2}" | dd of=$out/ivshmem3 conv=notrunc 2>/dev/null
	printf 'PTVM' | dd of=$out/ivshmem3 bs=1 seek=$(((1 << 30) - 4)) conv=notrunc 2>/dev/null
	echo "$w0" >$out/w0
	scripts/nested -t 900 -o $out -d nvme:build/e2e/multi-nvme.img -d ahci:build/e2e/multi-ahci.img \
		-d e1000e -d ivshmem:1024 -- bash tests/e2e/multi.t --in-l1 || echo "# nested: exit $?"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
modprobe e1000e
kif=$(ls /sys/bus/pci/devices/0000:00:10.0/net/ 2>/dev/null | head -n 1)
ip link set "$kif" up
ip -6 addr add fe80::1/64 dev "$kif" nodad
kernel=/boot/vmlinuz-$KVER
devs=()
for b in $BDFS; do devs+=(--device $b); done
log=$OUT/multi.log
timeout 300 build/ptvm --kernel $kernel --initrd build/e2e/multi.cpio.gz --mem 1G --cpus 2 "${devs[@]}" \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off" </dev/null >$log 2>&1
rc=$?
tap_check "four devices: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "NVMe: marker read" grep -qa "PTVM-NVME nvme-[0-9]" $log
tap_check "AHCI: marker read" grep -qa "PTVM-AHCI ahci-[0-9]" $log
tap_check "AHCI: interrupts on PCI-MSI" grep -qaE "PTVM-IRQ .*PCI-MSI.*ahci" $log
tap_check "e1000e: link-local ping answered" grep -qa "PTVM-PING .* 0% packet loss" $log
tap_check "ivshmem: the 1 GiB BAR sits above 4 GiB" \
	grep -qaE "PTVM-IVSHMEM bar2=0x0*[1-9a-f][0-9a-f]{8} size=1073741824" $log
w0=$(cat $OUT/w0)
tap_check "ivshmem: the guest reads what L1 wrote, first and last word (0x$w0)" \
	grep -qaE "PTVM-IVSHMEM word0=0x$w0 wordlast=0x4D565450" $log
tap_check "Linux kept ptvm's BAR assignments (no reassignment)" sh -c "! grep -qa PTVM-REASSIGN $log"
grep -aE "PTVM-|ptvm:" $log | tap_diag

# Ten runs in a row on the same devices.
ok=0
for i in $(seq 10); do
	timeout 120 build/ptvm --kernel $kernel --initrd build/e2e/boot.cpio.gz --mem 512M "${devs[@]}" \
		--cmdline "console=ttyS0 quiet panic=-1" </dev/null >$OUT/run$i.log 2>&1 &&
		[ "$(grep -ac PTVM-PCI $OUT/run$i.log)" = 5 ] && ok=$((ok + 1))
done
tap_check "ten runs in a row, each saw its four devices and exited 0 ($ok/10)" [ $ok = 10 ]
tap_check "after them: no ptvm left, no VFIO group held" \
	sh -c "! pgrep -x ptvm && ! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q /dev/vfio/[0-9]"
bound=0
for b in $BDFS; do [ "$(basename "$(readlink /sys/bus/pci/devices/$b/driver)")" = vfio-pci ] && bound=$((bound + 1)); done
tap_check "all four still on vfio-pci" [ $bound = 4 ]

# One process, three boots: its descriptors and mappings do not grow.
build/ptvm --kernel $kernel --initrd build/e2e/boot.cpio.gz --mem 512M "${devs[@]}" --reboot \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.end=reboot ptvm.delay=4" </dev/null >$OUT/reboot.log 2>&1 &
pid=$!
fds=() maps=()
for n in 1 2 3; do
	# sampled while the guest of boot n waits before rebooting
	for t in $(seq 240); do [ "$(grep -ac PTVM-INIT $OUT/reboot.log)" -ge $n ] && break; sleep 0.5; done
	sleep 1
	fds+=($(ls /proc/$pid/fd | wc -l))
	maps+=($(wc -l </proc/$pid/maps))
done
kill -TERM $pid
wait $pid
rc=$?
tap_check "--reboot: three boots, then SIGTERM exits 143 (got $rc)" [ $rc = 143 ]
tap_check "--reboot: open descriptors stay the same (${fds[*]})" \
	[ "${fds[0]}" = "${fds[1]}" -a "${fds[1]}" = "${fds[2]}" ]
tap_check "--reboot: mappings stay the same (${maps[*]})" \
	[ "${maps[0]}" = "${maps[1]}" -a "${maps[1]}" = "${maps[2]}" ]
