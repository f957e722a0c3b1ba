#!/usr/bin/env bash
# --stats and --stats=json on an NVMe guest: the exits, the traps per device
# and region, the route changes per vector and the start-up timeline, as
# text on stderr and as valid JSON; SIGUSR1 prints them while the guest runs.
# nested-shared: -d nvme:build/e2e/stats.img
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 11
	nvme_scenario stats 700
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
bdf=${BDFS%% *}
log=$OUT/stats.log json=$OUT/stats.json
timeout -k 60 200 build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 512M --cpus 2 \
	--device $bdf --stats --stats=json:$json \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0" </dev/null >$log 2>&1
rc=$?
tap_check "the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "the guest's 8 MiB compare equal" grep -qa PTVM-RW-OK $log
grep -a "ptvm: stats" $log | tap_diag
tap_check "text: exits by reason, port and MMIO traps, the timeline" \
	sh -c "grep -qa 'ptvm: stats: vm exits: io [1-9]' $log && grep -qa 'ptvm: stats: pio: uart [1-9]' $log &&
		grep -qa 'ptvm: stats: timeline ms: kvm ready [0-9]' $log"
tap_check "text: the device's config and MSI-X table traps, and its routes per vector" \
	sh -c "grep -qaE 'ptvm: stats: $bdf: traps: config [1-9][0-9]*, msix table [1-9]' $log &&
		grep -qaE 'ptvm: stats: $bdf: routes changed [1-9][0-9]*; per vector: msix0 [1-9]' $log"
tap_check "the JSON file is valid JSON" python3 -m json.tool $json
python3 -m json.tool $json | head -60 | tap_diag
# check EXPR: a Python expression over the JSON as j
check() { python3 -c "import json,sys; j=json.load(open('$json')); sys.exit(0 if ($1) else 1)"; }
tap_check "JSON: exits, MSI-X table traps and route changes counted" \
	check "j['vm_exits']['io'] > 0 and j['devices'][0]['bdf'] == '$bdf' and j['devices'][0]['traps']['msix_table'] > 0 and j['devices'][0]['route_changes'] > 0 and j['devices'][0]['vector_routes']['msix0'] > 0"
tap_check "JSON: the timeline runs in order: kvm ready, devices and DMA, first vCPU entry" \
	check "0 < j['timeline_ms']['kvm_ready'] <= j['timeline_ms']['devices_dma'] <= j['timeline_ms']['first_vcpu_entry'] and j['timeline_ms']['guest_run'] > 0 and j['exit_code'] == 0"

# The data path traps nothing: 10,000 4 KiB reads against none, in trapped
# accesses that are not the console's (MMIO, device ports, config space).
traps() { python3 -c "import json; j=json.load(open('$1')); d=j['devices'][0]; print(j['vm_exits']['mmio'] + j['pio']['devices'] + j['pio']['pci_config'] + d['traps']['config'] + d['traps']['msix_table'] + d['traps']['msix_pba'] + sum(d['traps']['bar%d' % i] for i in range(6)))"; }
for n in 0 10000; do
	timeout -k 60 300 build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 512M \
		--device $bdf --stats=json:$OUT/reads$n.json \
		--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0 ptvm.reads=$n" </dev/null >$OUT/reads$n.log 2>&1
done
t0=$(traps $OUT/reads0.json) t1=$(traps $OUT/reads10000.json)
grep -a "PTVM-READS " $OUT/reads10000.log | tap_diag
tap_check "10,000 guest reads add no more than 20 trapped accesses ($t0 without, $t1 with)" \
	sh -c "grep -qa 'PTVM-READS 10000+0 records out' $OUT/reads10000.log && [ $t1 -le $((t0 + 20)) ]"

# SIGUSR1 while the guest runs: the summary now, and the guest goes on.
log=$OUT/usr1.log
build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 512M --device $bdf --stats \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0 ptvm.end=hang" </dev/null >$log 2>&1 &
pid=$!
for i in $(seq 300); do grep -qa PTVM-HANGING $log && break; sleep 0.5; done
kill -USR1 $pid
sleep 2
tap_check "SIGUSR1: the summary is printed while the guest runs" \
	sh -c "kill -0 $pid && grep -qa 'ptvm: stats: $bdf: traps' $log"
term_wait $pid
rc=$?
tap_check "then SIGTERM: exit 143 (got $rc)" [ $rc = 143 ]
tap_check "two summaries in all: SIGUSR1's and the one at the end" \
	[ "$(grep -ac 'ptvm: stats: vm exits' $log)" = 2 ]
