#!/bin/sh
# SPDX-License-Identifier: MIT
# The stripped ptvm stays within 100 KiB (issue 10): what `ninja install`
# installs. Installed as build/tests/test_size, run by prove with the unit
# tests; ptvm is the build/ptvm beside it.
limit=102400
bin="$(dirname "$0")/../ptvm"
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT

echo "1..1"
if ! strip -o "$tmp" "$bin"; then
	echo "not ok 1 - strip $bin"
	exit 1
fi
size=$(stat -c %s "$tmp")
if [ "$size" -le "$limit" ]; then
	echo "ok 1 - stripped ptvm is $size bytes (limit $limit)"
else
	echo "not ok 1 - stripped ptvm is $size bytes, over the limit of $limit:"
	echo "# see what grew: nm --size-sort -S build/ptvm | tail -40"
	exit 1
fi
