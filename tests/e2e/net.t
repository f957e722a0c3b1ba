#!/usr/bin/env bash
# NICs: e1000e (MSI-X), virtio-net (modern, MSI-X) and e1000 (INTx only),
# each passed through to the guest in turn, once per guest kernel
# (PTVM_GUEST_KVERS). The guest's driver binds, the link comes up, and IPv6
# link-local pings reach a NIC that L1 keeps on the same QEMU hub.
# nested-shared: -d e1000e -d virtio-net -d e1000 -d virtio-net-legacy
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

nics="e1000e virtio-net e1000"
all="$nics virtio-net-legacy"
if [ "${1:-}" != --in-l1 ]; then
	tap_plan $((18 * $(echo $PTVM_GUEST_KVERS | wc -w)))
	scripts/guest-initrd build/e2e/net.cpio.gz tests/e2e/guest/net-init.sh e1000e e1000 virtio_net virtio_pci \
		-- tests/e2e/guest/common.sh:common.sh
	args=()
	for n in $all; do args+=(-d $n); done
	scripts/nested -t 1500 "${args[@]}" -- bash tests/e2e/net.t --in-l1 || echo "# nested: exit $?"
	exit 0
fi

# ---- in L1: its own NIC at 00:10.0 answers as fe80::1 ----
l1_peer_up
for k in $PTVM_GUEST_KVERS; do
	kernel=$(kernel_image $k)
	set -- $BDFS
	for n in $nics; do
		bdf=$1
		shift
		log=$OUT/$n-$k.log
		timeout -k 60 200 build/ptvm --kernel $kernel --initrd build/e2e/net.cpio.gz --mem 512M \
			--device $bdf --cmdline "console=ttyS0 quiet panic=-1" </dev/null >$log 2>&1
		rc=$?
		tap_check "$k: $n: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
		tap_check "$k: $n: the guest's driver bound" grep -qa "PTVM-NET driver=" $log
		tap_check "$k: $n: link up" grep -qa "PTVM-LINK carrier=1" $log
		tap_check "$k: $n: IPv6 link-local ping to L1 answered" grep -qaE "PTVM-PING .* 0% packet loss" $log
		case $n in
		e1000) mode="none (INTx)" pat="PTVM-IRQMODE\s*$" ;;
		*) mode="MSI-X" pat="PTVM-IRQMODE msix\s*$" ;;
		esac
		tap_check "$k: $n: the driver's interrupt mode is $mode" grep -qaE "$pat" $log
		grep -aE "PTVM-|ptvm:" $log | head -20 | tap_diag
		if [ $rc != 0 ]; then
			echo "# $k: $n: the guest's last words:"
			tr -d '\r' <$log | grep -av "^PTVM-" | tail -n 30 | tap_diag
		fi
	done

	# Legacy virtio-net: its registers are in an I/O BAR, where the MAC sits at
	# offset 20, or 24 once MSI-X is enabled (the seed thread's story). Its DMA
	# bypasses L1's IOMMU, so it cannot move data here: the link stays down and
	# the check is what the driver read through the I/O BAR, and its vectors.
	log=$OUT/legacy-$k.log
	timeout -k 60 200 build/ptvm --kernel $kernel --initrd build/e2e/net.cpio.gz --mem 512M \
		--device $1 --cmdline "console=ttyS0 quiet panic=-1 ptvm.linkdown=1" </dev/null >$log 2>&1
	rc=$?
	tap_check "$k: legacy virtio-net: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
	tap_check "$k: legacy virtio-net: the driver read the MAC through the I/O BAR" \
		grep -qa "PTVM-NET driver=virtio_net mac=52:54:00:00:01:42" $log
	tap_check "$k: legacy virtio-net: config and queue vectors on MSI-X" \
		[ "$(grep -a PTVM-IRQ $log | grep -c -E 'virtio0-(config|input|output)')" -ge 3 ]
	grep -aE "PTVM-|ptvm:" $log | tap_diag
done
