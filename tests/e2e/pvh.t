#!/usr/bin/env bash
# ELF kernels through the PVH entry, in one L1 with an NVMe drive and QEMU's
# edu device bound to vfio-pci:
# - Debian's own vmlinux (extracted from its bzImage, CONFIG_PVH=y) with the
#   NVMe drive passed through: the nvme.t checks (marker, 8 MiB O_DIRECT
#   compare, MSI-X vectors counting), two vCPUs from the MADT, and the
#   kernel's record that it came in through PVH;
# - tests/e2e/guest/pvh-probe, a freestanding 32-bit PVH guest with edu
#   passed through: every step it reports over the UART, from the memory map
#   to the MSI it counted and the ACPI power-off.
# nested-shared: -d nvme:build/e2e/pvh.img -d edu
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

if [ "${1:-}" != --in-l1 ]; then
	tap_plan 22
	[ -x build/tests/pvh-probe ] || { echo "Bail out! no build/tests/pvh-probe (run: ninja)"; exit 1; }
	vmlinux=$(pvh_vmlinux)
	[ -s "$vmlinux" ] || { echo "Bail out! could not extract a vmlinux from the guest kernel (scripts/vmlinux)"; exit 1; }
	scripts/guest-initrd build/e2e/nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	img=build/e2e/pvh.img
	blank_image $img 64M
	marker="ptvm-pvh-$RANDOM$RANDOM"
	put_marker $img "$marker"
	out=$(mktemp -d)
	scripts/nested -t 700 -o "$out" -d nvme:$img -d edu -- \
		bash tests/e2e/pvh.t --in-l1 "$vmlinux" || echo "# nested: exit $?"
	got=$(grep -a PTVM-MARKER "$out/linux.log" | tr -d '\r' | awk '{print $2}')
	tap_check "PVH vmlinux: the guest read the marker the test wrote into the image" [ "$got" = "$marker" ]
	sum=$(grep -a PTVM-RW-OK "$out/linux.log" | tr -d '\r' | awk '{print $2}')
	host=$(dd if=$img bs=1M skip=16 count=8 2>/dev/null | md5sum | cut -c1-32)
	tap_check "PVH vmlinux: the image holds the 8 MiB the guest wrote (md5 $host)" sh -c "[ -n '$sum' ] && [ '$sum' = '$host' ]"
	rm -rf "$out"
	exit 0
fi

# ---- in L1 ----
vmlinux=$2
nvme=${BDFS%% *} edu=${BDFS##* }

log=$OUT/linux.log
timeout -k 60 300 build/ptvm --kernel "$vmlinux" --initrd build/e2e/nvme.cpio.gz --mem 512M --cpus 2 \
	--device "$nvme" --cmdline "console=ttyS0 quiet panic=-1 ptvm.marker_off=$marker_off" \
	</dev/null >"$log" 2>&1
rc=$?
tap_check "ptvm --kernel vmlinux (ELF, PVH note) --device $nvme: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "the kernel came in through its PVH entry (boot_params.type_of_loader 0xb0, not the zero page's 0xff)" \
	grep -qa "PTVM-BOOT loader=b0 " $log
tap_check "both vCPUs came up from the MADT" grep -qa "PTVM-BOOT .*cpus=2" $log
tap_check "the guest found the drive" grep -qa "PTVM-MARKER" $log
tap_check "8 MiB written and read back with O_DIRECT compare equal" grep -qa "PTVM-RW-OK" $log
tap_check "nvme queues count interrupts on PCI-MSI(-X) vectors" \
	awk '/PTVM-IRQ/ && /MSI/ && /nvme/ { for (i = 3; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i } END { exit !(s > 0) }' $log
tap_check "the guest saw more than one nvme queue vector" \
	[ "$(grep -a PTVM-IRQ $log | grep -c nvme)" -ge 2 ]
grep -aE "PTVM-|nvme|rror|ptvm:" $log | head -40 | tap_diag

# The freestanding guest: each line it prints is one step it took.
log=$OUT/probe.log
timeout -k 60 120 build/ptvm --kernel build/tests/pvh-probe --mem 64M --device "$edu" \
	--cmdline "pvh-probe edu=$edu" </dev/null >"$log" 2>&1
rc=$?
tr -d '\r' <"$log" >"$log.txt"
log=$log.txt
tap_check "ptvm --kernel pvh-probe (ELF32) --device $edu: the guest powered off, exit 0 (got $rc)" [ $rc = 0 ]
tap_check "pvh-probe: hvm_start_info version 1 with the command line" \
	grep -qx "PVH-PROBE start: hvm_start_info version 1, cmdline \"pvh-probe edu=$edu\"" $log
tap_check "pvh-probe: the memory map shows the RAM (63 MiB above the legacy hole)" \
	grep -qE "^PVH-PROBE memmap: [0-9]+ entries, RAM 63 MiB$" $log
tap_check "pvh-probe: RSDP from the start info, and its XSDT" \
	grep -qE "^PVH-PROBE rsdp: 0x000e0000 xsdt 0x000e[0-9a-f]{4}$" $log
tap_check "pvh-probe: ECAM from the MCFG, PM1a_CNT from the FADT, SLP_TYP from the DSDT's \\_S5" \
	grep -qx 'PVH-PROBE acpi: MCFG ecam 0xe0000000, FADT pm1a_cnt 0x00000604, DSDT \\_S5 slp_typ 5' $log
tap_check "pvh-probe: bus 0 holds the host bridge and edu, found at 00:01.0" \
	sh -c "grep -qx 'PVH-PROBE pci: 00:00.0 0x00081b36' $log && grep -qx 'PVH-PROBE pci: 00:01.0 0x11e81234' $log &&
		grep -qx 'PVH-PROBE edu: found at 00:01.0' $log"
tap_check "pvh-probe: BAR0 (1 MiB) moved to a new address in the 32-bit window" \
	grep -qE "^PVH-PROBE bar: BAR0 of 0x00100000 bytes moved from 0x(c|d)[0-9a-f]{7} to 0x(d0000000|c8000000)$" $log
tap_check "pvh-probe: edu answers at the new BAR (ident 0x010000ed, liveness inverted)" \
	grep -qx "PVH-PROBE edu: ident 0x010000ed, liveness ok at the new BAR" $log
tap_check "pvh-probe: its local APIC enabled" grep -qE "^PVH-PROBE lapic: id 0, version 0x000000[0-9a-f]{2}, enabled" $log
tap_check "pvh-probe: MSI enabled on vector 0x41 to APIC 0" \
	grep -qE "^PVH-PROBE msi: capability at 0x000000[0-9a-f]{2}, vector 0x00000041 to local APIC 0, enabled$" $log
tap_check "pvh-probe: 3 of 3 MSIs counted by its IDT handler, none spurious, all acked" \
	grep -qx "PVH-PROBE irq: 3 of 3 MSI interrupts counted on vector 0x00000041, 0 spurious, irq status 0x00000000" $log
tap_check "pvh-probe: powered off through PM1a_CNT with SLP_TYP 5, no step failed" \
	sh -c "grep -qx 'PVH-PROBE poweroff: PM1a_CNT 0x00000604 SLP_TYP 5' $log && ! grep -q FAIL $log"
grep -a "PVH-PROBE\|ptvm:" $log | tap_diag
tap_check "no ptvm process left" sh -c "! pgrep -x ptvm"
