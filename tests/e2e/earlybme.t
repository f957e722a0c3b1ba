#!/usr/bin/env bash
# A guest that sets Bus Master Enable on its NVMe drive before guest RAM
# can be mapped for DMA (issue 12): with 2 GiB of RAM the mapper takes
# seconds, and the guest's init writes the command register through sysfs
# as its first act. ptvm must hold that write until the map is complete;
# then DMA works (8 MiB written with O_DIRECT, read back, compared, and
# checked in the image on the host) and L1's IOMMU logs no fault. The same
# guest with --dma-map before holds nothing.
# nested-shared: -d nvme:build/e2e/earlybme.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 15
	out=$(mktemp -d)
	nvme_scenario earlybme 900 -o "$out"
	sum=$(cat "$out/earlybme.sum" 2>/dev/null)
	host=$(dd if=build/e2e/earlybme.img bs=1M skip=16 count=8 2>/dev/null | md5sum | cut -c1-32)
	tap_check "the image holds the 8 MiB the guest wrote (md5 $host)" sh -c "[ -n '$sum' ] && [ '$sum' = '$host' ]"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
bdf=${BDFS%% *}
kernel=$GUEST_KERNEL
log=$OUT/earlybme.log
dmesg_before=$(dmesg | wc -l)
json=$OUT/earlybme.json
timeout -k 60 400 build/ptvm --kernel "$kernel" --initrd build/e2e/nvme.cpio.gz --mem 2G \
	--stats=json:$json --device "$bdf" \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.early_bme=1 ptvm.marker_off=0 ptvm.rw_off=16" \
	</dev/null >$log 2>&1 &
tpid=$!
# L1 has one CPU, which the mapper and the vCPU share: how far the map
# gets before the guest's init runs depends on the load. To make sure the
# write comes first, the mapper (ptvm starts it right before the vCPUs:
# the thread after the main one) runs SCHED_IDLE, set from outside: it
# maps while the vCPU idles, and the guest boots as if nothing else ran.
mapper=
for i in $(seq 300); do
	pid=$(pgrep -P $tpid -x ptvm) && [ "$(ls /proc/$pid/task 2>/dev/null | wc -l)" -ge 3 ] && break
	sleep 0.1
done
mapper=$(ls /proc/$pid/task | sort -n | sed -n 2p)
chrt --idle -p 0 "$mapper" && echo "# the mapper, thread $mapper, runs SCHED_IDLE"
# While the write is held (SIGUSR1: held_writes 1, RAM not mapped yet),
# ptvm has a third thread, the mapper: every thread must be filtered.
threads= filtered=
for i in $(seq 600); do
	kill -USR1 $pid 2>/dev/null
	sleep 0.3
	if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j['ram_dma']['held_writes'] >= 1 and j['timeline_ms']['ram_dma_ready'] < 0))" $json 2>/dev/null; then
		threads=$(ls /proc/$pid/task | wc -l)
		filtered=$(grep -l '^Seccomp:[[:space:]]*2' /proc/$pid/task/*/status | wc -l)
		break
	fi
	kill -0 $tpid 2>/dev/null || break
done
wait $tpid
rc=$?
tap_check "during the hold, every ptvm thread, the mapper's too, runs under seccomp ($filtered of $threads)" \
	sh -c "[ '${threads:-0}' -ge 3 ] && [ '$threads' = '$filtered' ]"
faults=$(dmesg | tail -n +$((dmesg_before + 1)) | grep -ciE "DMAR:.*fault|DMAR: \[DMA")
tap_check "--mem 2G, BME set first thing in init: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "the guest's write set Bus Master Enable (command 0006 read back)" \
	grep -qa "PTVM-EARLY-BME .* command=0006" $log
# the counters as ptvm wrote them at exit
js() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($1)" $json 2>/dev/null; }
held=$(js "j['ram_dma']['held_writes']")
hold=$(js "j['ram_dma']['hold_us']")
tap_check "ptvm held the write until the map was complete (held writes ${held:-none}, ${hold:-?} us)" \
	sh -c "[ '${held:-0}' -ge 1 ] && [ '${hold:-0}' -gt 0 ]"
entry=$(js "j['timeline_ms']['first_vcpu_entry']")
ready=$(js "j['timeline_ms']['ram_dma_ready']")
tap_check "the guest ran before the map was complete (entry ${entry:-?} ms, map ready ${ready:-?} ms)" \
	awk -v e="${entry:--1}" -v r="${ready:--1}" 'BEGIN { exit !(e >= 0 && r > e) }'
tap_check "8 MiB written and read back with O_DIRECT compare equal" grep -qa "PTVM-RW-OK" $log
tap_check "nvme queues count interrupts on PCI-MSI(-X) vectors" \
	awk '/PTVM-IRQ/ && /MSI/ && /nvme/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s > 0) }' $log
tap_check "L1's IOMMU logged no fault during the run ($faults fault lines)" [ "$faults" = 0 ]
grep -a PTVM-RW-OK $log | awk '{print $2}' | tr -d '\r' >$OUT/earlybme.sum
grep -aE "PTVM-|ptvm:" $log | head -20 | tap_diag
js "'ram_dma', j['ram_dma'], 'timeline_ms', j['timeline_ms']" | tap_diag
[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }

# The switch back to mapping first: nothing is held.
log=$OUT/earlybme-before.log
timeout -k 60 400 build/ptvm --kernel "$kernel" --initrd build/e2e/nvme.cpio.gz --mem 1G --stats \
	--dma-map before --device "$bdf" \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.early_bme=1 ptvm.marker_off=0 ptvm.rw_off=32" \
	</dev/null >$log 2>&1
rc=$?
tap_check "--dma-map before: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
held=$(sed -n 's/.*ram dma:.* held writes \([0-9]*\),.*/\1/p' $log | tail -n 1)
tap_check "--dma-map before: no write held (held writes ${held:-none})" [ "${held:-x}" = 0 ]
entry=$(sed -n 's/.*first vcpu entry \([0-9.]*\),.*/\1/p' $log | tail -n 1)
ready=$(sed -n 's/.*ram dma ready \([0-9.]*\).*/\1/p' $log | tail -n 1)
tap_check "--dma-map before: the map was complete before the first guest instruction ($ready < $entry ms)" \
	awk -v e="${entry:--1}" -v r="${ready:--1}" 'BEGIN { exit !(r >= 0 && e > r) }'
tap_check "--dma-map before: 8 MiB written and read back compare equal" grep -qa "PTVM-RW-OK" $log
grep -aE "PTVM-EARLY|ptvm: stats: (ram|timeline)" $log | tap_diag
[ $rc = 0 ] || { echo "# the guest's last lines:"; tr -d '\r' <$log | tail -n 25 | tap_diag; }

tap_check "the device is still bound to vfio-pci after ptvm exits" \
	[ "$(basename "$(readlink /sys/bus/pci/devices/$bdf/driver)")" = vfio-pci ]
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
