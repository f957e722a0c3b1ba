#!/usr/bin/env bash
# The latency mode on an NVMe guest: vCPU threads pinned and SCHED_FIFO,
# memory locked, guest RAM on hugepages, halt polling off, and the exits
# this host's KVM lets the guest keep; the drive still works. An exit the
# host refuses fails in one line, or warns under --best-effort.
# It pins vCPUs to two CPUs of L1, so it boots an L1 of its own with two
# (scripts/nested -c 2; the shared L1 has one).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 11
	nvme_scenario latency 600 -c 2
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
bdf=${BDFS%% *}
run=(build/ptvm --kernel $kernel --initrd build/e2e/nvme.cpio.gz --mem 256M --cpus 2 --device $bdf)

# Which exits may the guest keep here? Ask for all, with a "kernel" that
# fails right after the VM-wide knobs: the refusal names what is allowed.
"${run[@]}" --kernel /etc/hostname --disable-exits all </dev/null >$OUT/exits.out 2>$OUT/exits.err
rc=$?
cat $OUT/exits.err | tap_diag
if grep -q "not a Linux bzImage" $OUT/exits.err; then
	allowed=all
	tap_ok "--disable-exits all: this host allows every one"
else
	allowed=$(sed -n 's/.*(it allows: \([a-z,]*\)).*/\1/p' $OUT/exits.err)
	tap_check "--disable-exits all refused in one line naming what the host allows, exit 1" \
		sh -c "[ $rc = 1 ] && [ \$(wc -l <$OUT/exits.err) = 1 ] && [ -n '$allowed' ]"
fi
# A host CPU that does not exist (L1 has two): refused, or a warning.
"${run[@]}" --cpus 1 --cpu-affinity 3 --cmdline "console=ttyS0 quiet panic=-1" \
	</dev/null >$OUT/aff.out 2>$OUT/aff.err
rc=$?
tap_check "--cpu-affinity 3 on a two-CPU host: one line, exit 1 (got $rc)" \
	sh -c "[ $rc = 1 ] && [ \$(wc -l <$OUT/aff.err) = 1 ] && grep -q -- '--cpu-affinity: vcpu 0: cannot pin.*--best-effort' $OUT/aff.err"
cat $OUT/aff.err | tap_diag
timeout 300 "${run[@]}" --cpus 1 --cpu-affinity 3 --best-effort \
	--cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0" </dev/null >$OUT/be.out 2>&1
rc=$?
tap_check "--best-effort: a warning, and the guest runs to the end (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q 'ptvm: warning: --cpu-affinity' $OUT/be.out && grep -q PTVM-RW-OK $OUT/be.out"
# Only pause here: a guest that keeps hlt never sleeps, and two SCHED_FIFO
# vCPUs that never sleep would starve this two-CPU L1 of the test itself.
case ",$allowed," in *,pause,* | ,all,) keep=pause ;; *) keep= ;; esac

echo 200 >/proc/sys/vm/nr_hugepages
free0=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
log=$OUT/latency.log
opts=(--cpu-affinity 1,0 --realtime --hugepages --halt-poll 0 ${keep:+--disable-exits $keep})
echo "# ${opts[*]}"
"${run[@]}" "${opts[@]}" --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=0 ptvm.end=hang" \
	</dev/null >$log 2>&1 &
pid=$!
for i in $(seq 300); do grep -qa PTVM-HANGING $log && break; sleep 0.5; done
tap_check "latency mode: the guest's 8 MiB compare equal" grep -qa PTVM-RW-OK $log
grep -aE "PTVM-|ptvm:" $log | tap_diag
free1=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
tap_check "guest RAM is on hugepages (128 of them taken: free $free0 -> $free1)" [ $((free0 - free1)) -ge 128 ]
tap_check "memory is locked (VmLck)" sh -c "awk '/VmLck/ {exit !(\$2 > 0)}' /proc/$pid/status"
# vCPU threads: the ones that are not the main thread
vcpus=$(ls /proc/$pid/task | grep -vx $pid)
pol=$(for t in $vcpus; do chrt -p $t | sed -n 's/.*policy: //p'; done | sort -u | tr '\n' ' ')
tap_check "vCPU threads run SCHED_FIFO ($pol)" [ "$pol" = "SCHED_FIFO " ]
aff=$(for t in $vcpus; do taskset -cp $t | sed 's/.*: //'; done | sort | tr '\n' ' ')
tap_check "vCPU threads are pinned one each to CPUs 0 and 1 ($aff)" [ "$aff" = "0 1 " ]
tap_check "the main thread stays ordinary" sh -c "chrt -p $pid | grep -q SCHED_OTHER"
term_wait $pid
rc=$?
tap_check "SIGTERM ends it: exit 143 (got $rc)" [ $rc = 143 ]
tap_check "the hugepages are given back" [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" = "$free0" ]
echo 0 >/proc/sys/vm/nr_hugepages
