# TAP output for scenario scripts (sourced). Test lines carry no numbers:
# a scenario prints some of them in L1 and some on the host.
tap_plan() { echo "1..$1"; }
tap_ok() { echo "ok - $*"; }
tap_fail() { echo "not ok - $*"; }
tap_diag() { sed 's/^/# /'; }
# The kernels by name (PTVM_KVER, PTVM_GUEST_KVER, PTVM_GUEST_KVERS,
# kernel_image VER); in L1, GUEST_KERNEL is the default guest's bzImage.
. scripts/kernels
# blank_image IMG SIZE: IMG all zeros, rewritten in place (a shared L1's
# QEMU may hold it open: never rm it)
blank_image() {
	mkdir -p "$(dirname "$1")"
	: >"$1"
	truncate -s "$2" "$1"
}
# tap_check NAME COMMAND...: ok if COMMAND succeeds
tap_check() {
	local n=$1
	shift
	if "$@"; then tap_ok "$n"; else tap_fail "$n"; fi
}
# nvme_scenario NAME SECS [OPTION...]: on the host, runs tests/e2e/NAME.t
# --in-l1 in the nested sandbox (with scripts/nested's OPTIONs) with a blank
# 64 MiB NVMe drive build/e2e/NAME.img and the NVMe guest's initrd
# (build/e2e/nvme.cpio.gz) ready (to share the L1, no OPTION and
# "# nested-shared: -d nvme:build/e2e/NAME.img")
nvme_scenario() {
	local img=build/e2e/$1.img
	scripts/guest-initrd build/e2e/nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	blank_image $img 64M
	scripts/nested -t "$2" "${@:3}" -d nvme:$img -- bash tests/e2e/$1.t --in-l1 || echo "# nested: exit $?"
}
# pvh_vmlinux: on the host, prints the path of the newest /boot kernel's
# uncompressed vmlinux (scripts/vmlinux extracts it once into build/e2e/)
pvh_vmlinux() { scripts/vmlinux; }
# term_wait PID [SECS]: SIGTERM, then wait up to SECS (60) for PID to end;
# one that is still there gets its threads' kernel state printed (TAP
# diagnostics) and SIGKILL. Returns PID's exit status (137 when killed).
term_wait() {
	local pid=$1 secs=${2:-60} i t
	kill -TERM $pid 2>/dev/null
	for i in $(seq $((secs * 10))); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	if kill -0 $pid 2>/dev/null; then
		echo "# pid $pid did not end within $secs s of SIGTERM; its threads:"
		for t in /proc/$pid/task/*; do
			# state, user/system/guest clock ticks: a vCPU stuck in its
			# guest gains guest ticks, one stuck in ptvm does not
			echo "# thread ${t##*/} $(awk '{print $3, "utime=" $14, "stime=" $15, "guest=" $43}' $t/stat 2>/dev/null) wchan=$(cat $t/wchan 2>/dev/null) syscall=$(cat $t/syscall 2>/dev/null)"
			sed 's/^/#     /' $t/stack 2>/dev/null
		done
		kill -KILL $pid 2>/dev/null
	fi
	wait $pid
}
# l1_peer_up: in L1, its own NIC (an e1000e at 00:10.0) up as fe80::1, the
# peer that the guests' NICs ping
l1_peer_up() {
	local kif
	modprobe e1000e
	kif=$(ls /sys/bus/pci/devices/0000:00:10.0/net/ 2>/dev/null | head -n 1)
	ip link set "$kif" up
	ip -6 addr add fe80::1/64 dev "$kif" nodad
}
