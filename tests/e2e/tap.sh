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
# kmod_build [-a arm64] DIR KVER: on the host, builds the out-of-tree
# module whose NAME.c and Kbuild are in DIR (tests/e2e/.../NAME) against
# linux-headers-KVER (installed when missing) in build/e2e/NAME; one TAP
# test. A module that does not build is left empty (insmod then fails).
# -a arm64: cross-built for an arm64 kernel (kmod_headers_arm64) into
# build/e2e/arm64-NAME.
kmod_build() {
	local name kdir mdir built=0
	if [ "$1" = -a ]; then
		[ "$2" = arm64 ] || { tap_fail "kmod_build -a $2: only arm64 is known"; return; }
		shift 2
		kmod_build_arm64 "$@"
		return
	fi
	name=$(basename "$1") kdir=/usr/src/linux-headers-$2 mdir=build/e2e/$(basename "$1")
	if [ ! -e "$kdir/Makefile" ]; then
		echo "# no $kdir: installing linux-headers-$2"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "linux-headers-$2" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
				apt-get install -y -q --no-install-recommends "linux-headers-$2" >/dev/null 2>&1; } ||
			echo "# apt-get install linux-headers-$2 failed"
	fi
	mkdir -p "$mdir"
	cp -p "$1/$name.c" "$1/Kbuild" "$mdir/"
	[ -e "$kdir/Makefile" ] && make -s -C "$kdir" M="$PWD/$mdir" modules >"$mdir/build.log" 2>&1 &&
		[ -s "$mdir/$name.ko" ] && built=1
	tap_check "$name.ko builds against linux-headers-$2" [ $built = 1 ]
	if [ $built = 0 ]; then
		{ [ -e "$kdir/Makefile" ] || echo "no $kdir (apt-get install linux-headers-$2)"
			tail -20 "$mdir/build.log" 2>/dev/null; } | tap_diag
		: >"$mdir/$name.ko"
	fi
}
# kmod_headers_arm64 KVER: on the host, prints the directory of the arm64
# kernel KVER's headers for out-of-tree modules: linux-headers-KVER:arm64
# and linux-headers-<6.1.0-57>-common, downloaded (apt-get download) and
# unpacked (dpkg-deb -x) once into build/arm64/headers/, not installed.
# Their links to the kbuild tools (scripts/, tools/: fixdep, modpost)
# point at this host's own linux-kbuild-<6.1> (x86 programs, which Kbuild
# runs; installed when missing), and the arch Makefile's include at the
# unpacked common tree. Nothing printed when it cannot be had (why: stderr).
kmod_headers_arm64() {
	local kver=$1 top=$PWD/build/arm64/headers kb tmp d
	local hdr=linux-headers-$1 common=linux-headers-${1%-*}-common
	kb=/usr/lib/linux-kbuild-$(echo "$kver" | cut -d. -f1,2)
	if [ -e "$top/$hdr/Makefile" ] && [ -e "$top/$hdr/scripts/basic/fixdep" ]; then
		echo "$top/$hdr"
		return 0
	fi
	if [ ! -x "$kb/scripts/basic/fixdep" ]; then
		echo "kmod_headers_arm64: no $kb: installing ${kb##*/}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${kb##*/}" >/dev/null 2>&1 ||
			{ echo "kmod_headers_arm64: apt-get install ${kb##*/} failed" >&2; return 1; }
	fi
	mkdir -p "$top"
	tmp=$(mktemp -d "$top/.tmp.XXXXXX")
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "linux-headers-$kver:arm64" "$common" >/dev/null 2>&1) ||
		{ echo "kmod_headers_arm64: apt-get download linux-headers-$kver:arm64 $common failed" >&2; rm -rf "$tmp"; return 1; }
	for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$tmp/x" || { rm -rf "$tmp"; return 1; }; done
	for d in "$hdr" "$common"; do
		[ -d "$tmp/x/usr/src/$d" ] || { echo "kmod_headers_arm64: no usr/src/$d in the packages" >&2; rm -rf "$tmp"; return 1; }
		rm -rf "${top:?}/$d"
		mv "$tmp/x/usr/src/$d" "$top/$d"
		ln -sfn "$kb/scripts" "$top/$d/scripts"
		ln -sfn "$kb/tools" "$top/$d/tools"
	done
	sed -i "s|^include /usr/src/$common/|include $top/$common/|" "$top/$hdr/Makefile"
	rm -rf "$tmp"
	echo "$top/$hdr"
}
# kmod_build_arm64 DIR KVER: kmod_build -a arm64 (above)
kmod_build_arm64() {
	local name kdir mdir built=0 t0=$SECONDS
	name=$(basename "$1") mdir=build/e2e/arm64-$(basename "$1")
	mkdir -p "$mdir"
	kdir=$(kmod_headers_arm64 "$2" 2>"$mdir.headers.log")
	cp -p "$1/$name.c" "$1/Kbuild" "$mdir/"
	[ -n "$kdir" ] && make -s -C "$kdir" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- M="$PWD/$mdir" modules \
		>"$mdir/build.log" 2>&1 && [ -s "$mdir/$name.ko" ] && built=1
	tap_check "$name.ko cross-builds for arm64 against linux-headers-$2 ($((SECONDS - t0)) s)" [ $built = 1 ]
	if [ $built = 0 ]; then
		{ cat "$mdir.headers.log"; tail -20 "$mdir/build.log" 2>/dev/null; } | tap_diag
		: >"$mdir/$name.ko"
	fi
	rm -f "$mdir.headers.log"
}
# put_marker IMG TEXT: writes TEXT into disk image IMG at 40 MiB, where the
# guests' disk checks read their marker (ptvm.marker_off=$marker_off)
marker_off=$((40 << 20))
put_marker() { printf '%s' "$2" | dd of="$1" bs=1 seek=$marker_off conv=notrunc 2>/dev/null; }
