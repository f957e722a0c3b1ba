#!/bin/sh
# Peer-to-peer DMA (tests/e2e/p2p.t): an NVMe controller with no driver,
# driven from user space (bin/p2pnvme) with its queues and data in an
# ivshmem device's BAR 2.
. /common.sh
for d in /sys/bus/pci/devices/*; do
	case "$(cat $d/class) $(cat $d/vendor):$(cat $d/device)" in
	0x010802*) nvme=$d ;;
	*" 0x1af4:0x1110") ivsh=$d ;;
	esac
done
if [ -n "${nvme:-}" ] && [ -n "${ivsh:-}" ]; then
	timeout 120 /bin/p2pnvme $nvme $ivsh $(arg ptvm.p2p_rlba) $(arg ptvm.p2p_wlba)
else
	echo "PTVM-P2P error no NVMe controller and ivshmem pair: ${nvme:-none} ${ivsh:-none}"
fi
finish
