#!/usr/bin/env bash
# Bad input on the command line and in files: each case gets one line on
# stderr naming the problem, and a documented non-zero exit code. These
# fail before any guest code runs, so they run on the host, not in L1.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

ptvm=build/ptvm
kernel=$(kernel_image "$PTVM_GUEST_KVER")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_fail NAME CODE PATTERN -- ARGS...: exit CODE, one stderr line matching PATTERN
expect_fail() {
	local name=$1 code=$2 pat=$3 rc lines
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" = "$code" ] && [ "$lines" = 1 ] && grep -qE -- "$pat" "$tmp/err"; then
		tap_ok "$name"
	else
		tap_fail "$name (rc=$rc, want $code; stderr: $(head -c 300 "$tmp/err"))"
	fi
}

tap_plan 41

# command line (exit 2)
expect_fail "unknown option" 2 "unknown option '--frobnicate'" -- $ptvm --kernel "$kernel" --frobnicate
expect_fail "missing value" 2 "--mem needs a value" -- $ptvm --kernel "$kernel" --mem
expect_fail "no kernel" 2 "no kernel given" -- $ptvm
expect_fail "--mem unparsable" 2 "--mem 'lots': not a size" -- $ptvm --kernel "$kernel" --mem lots
expect_fail "--mem too small" 2 "--mem 1M: too small" -- $ptvm --kernel "$kernel" --mem 1M
expect_fail "--cpus 0" 2 "--cpus '0'" -- $ptvm --kernel "$kernel" --cpus 0
expect_fail "malformed BDF" 2 "--device '00:4.0': not a PCI address" -- $ptvm --kernel "$kernel" --device 00:4.0
expect_fail "same device twice" 2 "--device 00:04.0: given twice" -- $ptvm --kernel "$kernel" --device 0000:00:04.0 --device 00:04.0
expect_fail "--device without a value" 2 "--device needs a value" -- $ptvm --kernel "$kernel" --device
expect_fail "--stats with a bad value" 2 "'--stats=xml': --stats takes no value but json" -- $ptvm --kernel "$kernel" --stats=xml
expect_fail "--cpu-affinity malformed" 2 "--cpu-affinity '1,x'" -- $ptvm --kernel "$kernel" --cpu-affinity 1,x
expect_fail "--cpu-affinity and --cpus disagree" 2 "--cpu-affinity names 3 host CPUs for 2 vCPUs" -- $ptvm --kernel "$kernel" --cpus 2 --cpu-affinity 0-2
expect_fail "--hugepages with --mem not in 2M pages" 2 "--hugepages: --mem must be a multiple of 2M" -- $ptvm --kernel "$kernel" --hugepages --mem 16385K
expect_fail "--disable-exits unknown exit" 2 "--disable-exits 'hlt,sleep'" -- $ptvm --kernel "$kernel" --disable-exits hlt,sleep
expect_fail "--halt-poll not a number" 2 "--halt-poll '10us'" -- $ptvm --kernel "$kernel" --halt-poll 10us
expect_fail "--shutdown-timeout not a number" 2 "--shutdown-timeout '30s': give whole seconds" -- $ptvm --kernel "$kernel" --shutdown-timeout 30s
expect_fail "--shutdown-timeout negative" 2 "--shutdown-timeout '-1'" -- $ptvm --kernel "$kernel" --shutdown-timeout -1
expect_fail "--shutdown-timeout over a day" 2 "--shutdown-timeout '86401'" -- $ptvm --kernel "$kernel" --shutdown-timeout 86401
expect_fail "--shutdown-timeout without a value" 2 "--shutdown-timeout needs a value" -- $ptvm --kernel "$kernel" --shutdown-timeout

# files and sizes (exit 1)
expect_fail "missing kernel" 1 "/nonexistent/bzImage: cannot read kernel: No such file" -- $ptvm --kernel /nonexistent/bzImage
chmod 000 "$tmp" 2>/dev/null
cp "$kernel" "$tmp/k" 2>/dev/null; chmod 000 "$tmp/k" 2>/dev/null; chmod 755 "$tmp"
if [ "$(id -u)" = 0 ]; then
	# root reads anything: unreadable means a directory here
	expect_fail "unreadable kernel" 1 "cannot read kernel" -- $ptvm --kernel "$tmp"
else
	expect_fail "unreadable kernel" 1 "cannot read kernel: Permission denied" -- $ptvm --kernel "$tmp/k"
fi
expect_fail "not a bzImage" 1 "not a Linux bzImage" -- $ptvm --kernel /etc/hostname
# ELF kernels (the PVH entry): build/tests/pvh-probe, a 32-bit PVH guest at
# 1 MiB, and copies of it patched by pvh_patch FILE PADDR NOTE_TYPE: its one
# PT_LOAD and its PVH entry moved to PADDR, its note's type changed
probe=build/tests/pvh-probe
pvh_patch() {
	python3 - "$probe" "$1" "$2" "$3" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
paddr, ntype = int(sys.argv[3], 0), int(sys.argv[4], 0)
note = b.find(struct.pack("<III", 4, 4, 18) + b"Xen\0")
struct.pack_into("<I", b, note + 8, ntype)
struct.pack_into("<I", b, note + 16, paddr)
phoff, = struct.unpack_from("<I", b, 28)
struct.pack_into("<I", b, phoff + 12, paddr)  # the PT_LOAD's p_paddr
open(sys.argv[2], "wb").write(b)
PY
}
expect_fail "an ELF64 without a PVH note" 1 "guest-hostile: ELF without a PVH entry note .*CONFIG_PVH=y" -- \
	$ptvm --kernel build/tests/guest-hostile
pvh_patch "$tmp/nonote" 0x100000 17
expect_fail "a 32-bit ELF without a PVH entry" 1 "nonote: 32-bit ELF without a PVH entry note" -- $ptvm --kernel "$tmp/nonote"
pvh_patch "$tmp/low" 0x80000 18
expect_fail "ELF segments over ptvm's tables" 1 "low: a segment at 0x80000 lies below 1 MiB, over ptvm's boot tables" -- \
	$ptvm --kernel "$tmp/low" --mem 64M
pvh_patch "$tmp/high" 0x10000000 18
expect_fail "ELF segments outside guest RAM" 1 "high: segments at 0x10000000-.* are not all in guest RAM \(--mem 64 MiB" -- \
	$ptvm --kernel "$tmp/high" --mem 64M
truncate -s 100M "$tmp/100m.img"
expect_fail "initrd does not fit beside an ELF kernel" 1 "100m.img: initrd of 100 MiB does not fit" -- \
	$ptvm --kernel "$probe" --mem 64M --initrd "$tmp/100m.img"
# A bzImage whose header says boot protocol 2.06: patch the version field.
cp "$kernel" "$tmp/old"; chmod 644 "$tmp/old"
printf '\x06\x02' | dd of="$tmp/old" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
expect_fail "boot protocol too old" 1 "boot protocol 2.06 too old" -- $ptvm --kernel "$tmp/old"
expect_fail "--mem too small for the kernel" 1 "--mem 20 MiB is too small" -- $ptvm --kernel "$kernel" --mem 20M
truncate -s 600M "$tmp/big.img"
expect_fail "initrd does not fit" 1 "initrd of 600 MiB does not fit" -- $ptvm --kernel "$kernel" --mem 512M --initrd "$tmp/big.img"
expect_fail "missing initrd" 1 "/nonexistent.img: cannot read initrd" -- $ptvm --kernel "$kernel" --initrd /nonexistent.img
# SIGTERM while the setup waits on the host (here an initrd that is a FIFO
# nobody writes): ptvm ends at once with 128+15, not when setup is done
mkfifo "$tmp/fifo"
$ptvm --kernel "$kernel" --initrd "$tmp/fifo" </dev/null >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
for i in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && kill -KILL $pid
wait $pid
rc=$?
tap_check "SIGTERM during setup: exit 143 within 5 s (got $rc)" [ $rc = 143 ]
expect_fail "too many vCPUs" 1 "--cpus 2000: at most [0-9]+ vCPUs" -- $ptvm --kernel "$kernel" --cpus 2000

expect_fail "--stats=json to an unwritable path" 1 "--stats=json:/nonexistent/s.json: cannot write it" -- $ptvm --kernel "$kernel" --stats=json:/nonexistent/s.json
# 64 GiB of hugepages are reserved nowhere we run
expect_fail "--hugepages without reserved hugepages" 1 "--hugepages: cannot back 65536 MiB .*/nr_hugepages" -- $ptvm --kernel "$kernel" --hugepages --mem 64G

# /dev/kvm missing, or not ours to open
expect_fail "no /dev/kvm" 1 "/dev/kvm: not found" -- \
	unshare --mount sh -c "mount -t tmpfs none /dev && exec $ptvm --kernel $kernel"
expect_fail "no permission on /dev/kvm" 1 "/dev/kvm: permission denied" -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups $ptvm --kernel "$kernel"

# --help and exit codes are documented
if $ptvm --help | grep -q "^exit codes:" && $ptvm --help | grep -q -- "--device BDF"; then
	tap_ok "--help documents options and exit codes"
else
	tap_fail "--help documents options and exit codes"
fi

# The man page covers every option and subcommand --help lists, and every exit code.
missing=
for o in $($ptvm --help | grep -oE -- '--[a-z][a-z-]*' | sort -u) probe bind unbind; do
	grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" ptvm.1 || missing="$missing $o"
done
for c in 0 1 2 3 4 5 128+N; do grep -qx ".B $c" ptvm.1 || missing="$missing exit-$c"; done
tap_check "ptvm.1 documents every option, subcommand and exit code${missing:+ (missing:$missing)}" [ -z "$missing" ]

# ninja install honours PREFIX and DESTDIR
DESTDIR=$tmp/root PREFIX=/opt/ptvm ninja install >/dev/null
tap_check "ninja install puts the binary under \$DESTDIR\$PREFIX/bin" \
	sh -c "[ -x $tmp/root/opt/ptvm/bin/ptvm ] && $tmp/root/opt/ptvm/bin/ptvm --version | grep -q '^ptvm '"
tap_check "and the man page under share/man/man1" [ -s $tmp/root/opt/ptvm/share/man/man1/ptvm.1 ]
