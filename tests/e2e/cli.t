#!/usr/bin/env bash
# Bad input on the command line and in files: each case gets one line on
# stderr naming the problem, and a documented non-zero exit code. These
# fail before any guest code runs, so they run on the host, not in L1.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/tap.sh

ptvm=build/ptvm
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
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

tap_plan 31

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
# A bzImage whose header says boot protocol 2.06: patch the version field.
cp "$kernel" "$tmp/old"; chmod 644 "$tmp/old"
printf '\x06\x02' | dd of="$tmp/old" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
expect_fail "boot protocol too old" 1 "boot protocol 2.06 too old" -- $ptvm --kernel "$tmp/old"
expect_fail "--mem too small for the kernel" 1 "--mem 20 MiB is too small" -- $ptvm --kernel "$kernel" --mem 20M
truncate -s 600M "$tmp/big.img"
expect_fail "initrd does not fit" 1 "initrd of 600 MiB does not fit" -- $ptvm --kernel "$kernel" --mem 512M --initrd "$tmp/big.img"
expect_fail "missing initrd" 1 "/nonexistent.img: cannot read initrd" -- $ptvm --kernel "$kernel" --initrd /nonexistent.img
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
