#!/usr/bin/env bash
# SR-IOV virtual functions and the resets a guest asks for. L1 has two
# QEMU NVMe controllers (QEMU 7.2's SR-IOV model, docs/system/devices/
# nvme.rst):
# - a plain one on vfio-pci (the PF case);
# - one with SR-IOV, kept on L1's nvme driver, in an NVM subsystem with one
#   shared namespace. L1 gives its flexible queues and interrupts to two
#   secondary controllers, enables two VFs, brings them online and binds
#   them to vfio-pci.
# Then, each guest running tests/e2e/guest/reset-init.sh (marker, 4 MiB
# O_DIRECT compare per function; with ptvm.reset=1, a function reset from
# sysfs between two such checks, NVMe's CC read through /dev/mem before and
# after it):
# - the PF, reset (FLR through ptvm to VFIO);
# - both VFs in one guest, each reset;
# - one VF each in two ptvm guests running at once (two VMs sharing one
#   drive), each one's data checked on the host;
# - with SRIOV_QEMU=1 (not in the suite, as x86's other reference runs):
#   QEMU's vfio-pci with both VFs, the same guest;
# - a VF whose PF is on vfio-pci (L1 moves the PF there): it opens only
#   with the VF token the PF's owner set (--device BDF,vf-token=UUID).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

pfimg=build/e2e/reset-pf.img vfimg=build/e2e/sriov.img
ini=build/e2e/reset.cpio.gz
# where each run writes (MiB): function i at base + 8 i (+ 4 after a reset)
pf_rw=16 two_rw=16 a_rw=32 b_rw=44 ref_rw=48
if [ "${1:-}" != --in-l1 ]; then
	tap_plan $((30 + 7 * ${SRIOV_QEMU:-0}))
	scripts/guest-initrd $ini tests/e2e/guest/reset-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	blank_image $pfimg 64M
	blank_image $vfimg 64M
	marker="ptvm-marker-$RANDOM$RANDOM"
	put_marker $pfimg "$marker"
	put_marker $vfimg "$marker"
	out=$(mktemp -d)
	scripts/nested -t 1500 -o "$out" -d nvme:$pfimg \
		-q "-device nvme-subsys,id=sriov0,nqn=ptvm-sriov -drive file=$vfimg,if=none,id=sv,format=raw,cache=unsafe" \
		-k "raw:nvme,id=sv0,serial=ptvmsv,subsys=sriov0,sriov_max_vfs=2,sriov_vq_flexible=8,sriov_vi_flexible=4" \
		-q "-device nvme-ns,drive=sv,bus=sv0,nsid=1,shared=on" \
		-- env MARKER="$marker" SRIOV_QEMU=${SRIOV_QEMU:-0} bash tests/e2e/sriov.t --in-l1 || echo "# nested: exit $?"
	# host: what each guest said it wrote is in the image, at its offset
	at() { dd if=$1 bs=1M skip=$2 count=4 2>/dev/null | md5sum | cut -c1-32; }
	# host_check LOG IMG NAME: every "PTVM-RW(-AFTER) BDF-OK MIB MD5" line
	host_check() {
		local n=0 bad= l
		while read -r tag mib sum; do
			n=$((n + 1))
			[ "$(at $2 $mib)" = "$sum" ] || bad+=" $tag@$mib"
		done < <(grep -a -E '^PTVM-RW(-AFTER)? [0-9a-f:.]+-OK ' "$1" 2>/dev/null | tr -d '\r' | awk '{print $2, $3, $4}')
		tap_check "$3: the image holds what the guest wrote, at each place ($n checks${bad:+, wrong:$bad})" \
			[ $n -gt 0 -a -z "$bad" ]
	}
	host_check "$out/pf.log" $pfimg "PF"
	host_check "$out/two.log" $vfimg "two VFs in one guest"
	host_check "$out/a.log" $vfimg "two guests at once: the first"
	host_check "$out/b.log" $vfimg "two guests at once: the second"
	[ "${SRIOV_QEMU:-0}" = 1 ] && host_check "$out/ref.log" $vfimg "QEMU's vfio-pci"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
kernel=$GUEST_KERNEL
# one block device per controller: the VFs share one namespace, which
# native NVMe multipath would show as one device behind both
cmd="console=ttyS0 quiet panic=-1 nvme_core.multipath=N ptvm.marker_off=$marker_off"
pf=${BDFS%% *} sr=${KEPT%% *}
# reset_checks LOG NAME N: the guest's view of N functions, each reset
reset_checks() {
	local l=$1 n=$3
	tap_check "$2: the guest saw $n NVMe function(s)" grep -qa "PTVM-FUNCS $n " $l
	tap_check "$2: each read the marker" [ "$(grep -a "PTVM-MARKER .* $MARKER" $l | wc -l)" = $n ]
	tap_check "$2: each compared 4 MiB equal" [ "$(grep -a -c '^PTVM-RW [0-9a-f:.]*-OK' $l)" = $n ]
	tap_check "$2: each reset by FLR, exit 0, CC non-zero before and 0 after" \
		[ "$(grep -a '^PTVM-RESET' $l | tr -d '\r' | awk '$3 == "method=flr" && $4 == "rc=0" && $5 != "cc_before=0x00000000" && $6 == "cc_after=0x00000000"' | wc -l)" = $n ]
	tap_check "$2: each driver bound again and compared 4 MiB equal" [ "$(grep -a -c '^PTVM-RW-AFTER [0-9a-f:.]*-OK' $l)" = $n ]
	grep -a -E 'PTVM-|ptvm:' $l | tr -d '\r' | tap_diag
}
# stats_resets JSON: "done failed" resets summed over the devices
stats_resets() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["devices"]; print(sum(x["resets"]["done"] for x in d), sum(x["resets"]["failed"] for x in d))' "$1" 2>/dev/null
}

# -- the PF --
timeout -k 30 400 build/ptvm --kernel "$kernel" --initrd $ini --mem 512M --device $pf --stats=json:$OUT/pf.json \
	--cmdline "$cmd ptvm.rw_off=$pf_rw ptvm.reset=1" </dev/null >$OUT/pf.log 2>&1
rc=$?
tap_check "PF: ptvm exit 0 (got $rc)" [ $rc = 0 ]
reset_checks $OUT/pf.log PF 1
tap_check "PF: --stats counts the reset: done 1, failed 0 (got $(stats_resets $OUT/pf.json))" [ "$(stats_resets $OUT/pf.json)" = "1 0" ]
python3 -c 'import json,sys; [print(x["bdf"], x["resets"]) for x in json.load(open(sys.argv[1]))["devices"]]' $OUT/pf.json 2>&1 | tap_diag

# -- the VFs: L1 sets them up as QEMU's nvme.rst says --
modprobe nvme
for i in $(seq 100); do
	c=$(ls /sys/bus/pci/devices/$sr/nvme 2>/dev/null | head -n 1)
	[ -n "$c" ] && [ -c /dev/$c ] && break
	sleep 0.2
done
pcid=$(nvme id-ctrl /dev/$c 2>/dev/null | sed -n 's/^cntlid *: *//p')
{
	nvme virt-mgmt /dev/$c -c "$pcid" -r 1 -a 1 -n 0
	nvme virt-mgmt /dev/$c -c "$pcid" -r 0 -a 1 -n 0
	echo 1 >/sys/bus/pci/devices/$sr/reset
	echo 0 >/sys/bus/pci/devices/$sr/sriov_drivers_autoprobe
	echo 2 >/sys/bus/pci/devices/$sr/sriov_numvfs
	for s in $(nvme list-secondary /dev/$c 2>/dev/null | sed -n 's/.*SCID .*: *\(0x[0-9a-f]*\).*/\1/p'); do
		nvme virt-mgmt /dev/$c -c $((s)) -r 1 -a 8 -n 2
		nvme virt-mgmt /dev/$c -c $((s)) -r 0 -a 8 -n 4
		nvme virt-mgmt /dev/$c -c $((s)) -r 0 -a 9 -n 0
	done
} >$OUT/vf-setup.log 2>&1
vfs=()
for v in /sys/bus/pci/devices/$sr/virtfn0 /sys/bus/pci/devices/$sr/virtfn1; do
	[ -e $v ] || continue
	b=$(basename "$(readlink $v)")
	echo vfio-pci >/sys/bus/pci/devices/$b/driver_override
	echo $b >/sys/bus/pci/drivers_probe
	vfs+=($b)
done
nvme list-secondary /dev/$c 2>&1 | tap_diag
tap_diag <$OUT/vf-setup.log
groups=$(for b in ${vfs[@]+"${vfs[@]}"}; do basename "$(readlink /sys/bus/pci/devices/$b/iommu_group)"; done | sort -u | wc -l)
tap_check "L1: two VFs of $sr on vfio-pci, each in its own IOMMU group (${vfs[*]:-none}; $groups groups)" \
	sh -c "[ ${#vfs[@]} = 2 ] && [ $groups = 2 ] && for b in ${vfs[*]:-x}; do [ \"\$(basename \"\$(readlink /sys/bus/pci/devices/\$b/driver)\")\" = vfio-pci ] || exit 1; done"
v0=${vfs[0]:-none} v1=${vfs[1]:-none}

# -- both VFs in one guest, each reset --
timeout -k 30 400 build/ptvm --kernel "$kernel" --initrd $ini --mem 512M --device $v0 --device $v1 \
	--stats=json:$OUT/two.json --cmdline "$cmd ptvm.rw_off=$two_rw ptvm.reset=1" </dev/null >$OUT/two.log 2>&1
rc=$?
tap_check "two VFs in one guest: ptvm exit 0 (got $rc)" [ $rc = 0 ]
reset_checks $OUT/two.log "two VFs in one guest" 2
tap_check "two VFs in one guest: --stats counts both resets (got $(stats_resets $OUT/two.json))" [ "$(stats_resets $OUT/two.json)" = "2 0" ]
python3 -c 'import json,sys; [print(x["bdf"], x["resets"]) for x in json.load(open(sys.argv[1]))["devices"]]' $OUT/two.json 2>&1 | tap_diag

# -- one VF each in two guests at once --
timeout -k 30 400 build/ptvm --kernel "$kernel" --initrd $ini --mem 384M --device $v0 \
	--cmdline "$cmd ptvm.rw_off=$a_rw ptvm.delay=3" </dev/null >$OUT/a.log 2>&1 &
pa=$!
timeout -k 30 400 build/ptvm --kernel "$kernel" --initrd $ini --mem 384M --device $v1 \
	--cmdline "$cmd ptvm.rw_off=$b_rw ptvm.delay=3" </dev/null >$OUT/b.log 2>&1 &
pb=$!
# both ran at the same time: each was up while the other was
both=0
for i in $(seq 600); do
	[ -n "$(pgrep -x ptvm | head -n 2 | sed -n 2p)" ] && { both=1; break; }
	kill -0 $pa 2>/dev/null || kill -0 $pb 2>/dev/null || break
	sleep 0.5
done
wait $pa
ra=$?
wait $pb
rb=$?
tap_check "two guests at once: both ptvm were running together" [ $both = 1 ]
tap_check "two guests at once: both exit 0 (got $ra, $rb)" [ $ra = 0 -a $rb = 0 ]
for x in a b; do
	tap_check "two guests at once ($x): the marker and 4 MiB compared equal" \
		sh -c "grep -qa 'PTVM-MARKER .* $MARKER' $OUT/$x.log && grep -qa '^PTVM-RW [0-9a-f:.]*-OK' $OUT/$x.log"
	grep -a -E 'PTVM-|ptvm:' $OUT/$x.log | tr -d '\r' | tap_diag
done

# -- the reference (SRIOV_QEMU=1, as x86's other reference runs, not in
# the suite): QEMU's vfio-pci with both VFs, the same guest --
if [ "$SRIOV_QEMU" = 1 ]; then
	timeout -k 30 600 qemu-system-x86_64 -M q35 -accel kvm -cpu host -smp 1 -m 512M \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-kernel "$kernel" -initrd $ini -device vfio-pci,host=$v0,addr=1 -device vfio-pci,host=$v1,addr=2 \
		-append "$cmd ptvm.rw_off=$ref_rw ptvm.reset=1" </dev/null >$OUT/ref.log 2>&1
	rc=$?
	tap_check "QEMU's vfio-pci: exit 0 (got $rc)" [ $rc = 0 ]
	reset_checks $OUT/ref.log "QEMU's vfio-pci" 2
fi

tap_check "after: no ptvm left" sh -c "! pgrep -x ptvm"
tap_check "after: the PF and both VFs still on vfio-pci" \
	sh -c "for b in $pf ${vfs[*]:-x}; do [ \"\$(basename \"\$(readlink /sys/bus/pci/devices/\$b/driver)\")\" = vfio-pci ] || exit 1; done"

# -- a VF whose PF is on vfio-pci: its owner (build/tests/vf-token, as a
# VMM that owns the PF would) sets a VF token, and the VF opens only with it
echo 0 >/sys/bus/pci/devices/$sr/sriov_numvfs
echo $sr >/sys/bus/pci/drivers/nvme/unbind
echo 1 >/sys/module/vfio_pci/parameters/enable_sriov
echo vfio-pci >/sys/bus/pci/devices/$sr/driver_override
echo $sr >/sys/bus/pci/drivers_probe
token=$(cat /proc/sys/kernel/random/uuid) wrong=$(cat /proc/sys/kernel/random/uuid)
build/tests/vf-token "$(basename "$(readlink /sys/bus/pci/devices/$sr/iommu_group)")" $sr $token >$OUT/owner.log 2>&1 &
owner=$!
for i in $(seq 100); do grep -q READY $OUT/owner.log && break; sleep 0.1; done
echo 1 >/sys/bus/pci/devices/$sr/sriov_numvfs
tv=$(basename "$(readlink /sys/bus/pci/devices/$sr/virtfn0)")
echo vfio-pci >/sys/bus/pci/devices/$tv/driver_override
echo $tv >/sys/bus/pci/drivers_probe
tap_diag <$OUT/owner.log
for t in none wrong; do
	dev=$tv
	[ $t = wrong ] && dev=$tv,vf-token=$wrong
	timeout -k 30 120 build/ptvm --kernel "$kernel" --initrd $ini --mem 256M --device $dev --cmdline "$cmd" \
		</dev/null >$OUT/token-$t.log 2>&1
	rc=$?
	tap_check "VF token ($t): ptvm --device $dev exits 1 with one line naming the option (got $rc: $(head -c 200 $OUT/token-$t.log))" \
		sh -c "[ $rc = 1 ] && [ \$(wc -l <$OUT/token-$t.log) = 1 ] && grep -q 'vf-token=UUID' $OUT/token-$t.log"
done
timeout -k 30 300 build/ptvm --kernel "$kernel" --initrd $ini --mem 256M --device $tv,vf-token=$token \
	--cmdline "$cmd ptvm.blkwait=1" </dev/null >$OUT/token.log 2>&1
rc=$?
tap_check "VF token (the owner's): ptvm --device $tv,vf-token=...: exit 0 (got $rc)" [ $rc = 0 ]
tap_check "VF token (the owner's): the guest saw the VF" grep -qa "PTVM-FUNCS 1 " $OUT/token.log
grep -a -E 'PTVM-|ptvm:' $OUT/token.log | tr -d '\r' | tap_diag
kill $owner 2>/dev/null
wait $owner 2>/dev/null
tap_check "VF token: no ptvm left, and the VF still on vfio-pci" \
	sh -c "! pgrep -x ptvm && [ \"\$(basename \"\$(readlink /sys/bus/pci/devices/$tv/driver)\")\" = vfio-pci ]"
