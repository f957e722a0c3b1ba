#!/bin/sh
# SPDX-License-Identifier: MIT
# The stripped ptvm stays within 100 KiB (issue 10), for each arch: what
# `ninja install` installs. Installed as build/tests/test_size (x86's
# build/ptvm) and build/tests/test_size_arm64 (build/arm64/ptvm, stripped
# with the cross binutils), run by prove with the unit tests.
limit=102400
case $0 in
*_arm64) bin="$(dirname "$0")/../arm64/ptvm" strip=aarch64-linux-gnu-strip name="arm64 ptvm" ;;
*) bin="$(dirname "$0")/../ptvm" strip=strip name=ptvm ;;
esac
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

echo "1..1"
if ! $strip -o "$tmp" "$bin"; then
	echo "not ok 1 - $strip $bin"
	exit 1
fi
size=$(stat -c %s "$tmp")
if [ "$size" -le "$limit" ]; then
	echo "ok 1 - stripped $name is $size bytes (limit $limit)"
else
	echo "not ok 1 - stripped $name is $size bytes, over the limit of $limit:"
	echo "# see what grew: nm --size-sort -S $bin | tail -40"
	exit 1
fi
