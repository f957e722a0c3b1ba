#!/usr/bin/env bash
# multi.t's four devices (NVMe, AHCI, e1000e, ivshmem with a 1 GiB 64-bit
# BAR), again and again: ten runs in a row, each passing (the guest
# kernels take turns), then one ptvm that reboots its guest three times
# without its descriptors or mappings growing. Apart from multi.t so that
# the two run side by side, each in its own stream's shared L1.
# nested-shared: -d nvme:build/e2e/multi-nvme.img -d ahci:build/e2e/multi-ahci.img -d e1000e -d ivshmem:1024:build/e2e/multi-ivshmem
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 6
	scripts/guest-initrd build/e2e/boot.cpio.gz tests/e2e/guest/boot-init.sh \
		-- tests/e2e/guest/common.sh:common.sh
	# multi.t's images and shared memory: created when missing, never
	# rewritten here (multi.t may be using them in another L1)
	for f in build/e2e/multi-nvme.img build/e2e/multi-ahci.img; do
		[ -e $f ] || blank_image $f 64M
	done
	shm=build/e2e/multi-ivshmem
	[ -e $shm ] || truncate -s 1G $shm
	scripts/nested -t 1200 -d nvme:build/e2e/multi-nvme.img -d ahci:build/e2e/multi-ahci.img \
		-d e1000e -d ivshmem:1024:$shm -- bash tests/e2e/rerun.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1 ----
devs=()
for b in $BDFS; do devs+=(--device $b); done

# Ten runs in a row on the same devices, the guest kernels taking turns.
kernel=$GUEST_KERNEL
kvers=($PTVM_GUEST_KVERS)
ok=0
for i in $(seq 10); do
	timeout -k 60 120 build/ptvm --kernel $(kernel_image ${kvers[$(((i - 1) % ${#kvers[@]}))]}) --initrd build/e2e/boot.cpio.gz --mem 512M "${devs[@]}" \
		--cmdline "console=ttyS0 quiet panic=-1" </dev/null >$OUT/run$i.log 2>&1 &&
		[ "$(grep -ac PTVM-PCI $OUT/run$i.log)" = 5 ] && ok=$((ok + 1))
done
tap_check "ten runs in a row ($PTVM_GUEST_KVERS in turn), each saw its four devices and exited 0 ($ok/10)" [ $ok = 10 ]
tap_check "after them: no ptvm left, no VFIO group held" \
	sh -c "! pgrep -x ptvm && ! ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q '/dev/vfio/[0-9]'"
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
term_wait $pid
rc=$?
tap_check "--reboot: three boots, then SIGTERM exits 143 (got $rc)" [ $rc = 143 ]
tap_check "--reboot: open descriptors stay the same (${fds[*]})" \
	[ "${fds[0]}" = "${fds[1]}" -a "${fds[1]}" = "${fds[2]}" ]
tap_check "--reboot: mappings stay the same (${maps[*]})" \
	[ "${maps[0]}" = "${maps[1]}" -a "${maps[1]}" = "${maps[2]}" ]
