#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README stays short and every document stays reachable (issue 19):
# README.md has at most 220 lines and starts with scripts/demo and
# scripts/test; every relative link in README.md and docs/*.md names a
# file that exists (and, into a markdown file, a heading there); every
# docs/*.md is linked from README.md. Installed as build/tests/test_docs,
# run by prove with the unit tests; the sources are two levels up from
# there, or one level up from tests/test_docs.sh.
max_lines=220

dir=$(dirname "$0")
if [ -f "$dir/../README.md" ]; then
	root="$dir/.."
else
	root="$dir/../.."
fi
if [ ! -f "$root/README.md" ]; then
	echo "1..1"
	echo "not ok 1 - no README.md found beside $dir"
	exit 1
fi
cd "$root" || exit 1

shopt -s nullglob
docs=(docs/*.md)
files=(README.md "${docs[@]}")
n=0 fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

# slugs FILE: the anchors of FILE's headings, as GitHub makes them
slugs() {
	awk '/^```/ { code = !code; next } !code && /^#+ / { print }' "$1" |
		sed -E 's/^#+ +//; s/ +#*$//' |
		tr '[:upper:]' '[:lower:]' |
		sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# links FILE: the targets of FILE's markdown links outside code blocks
# and code spans
# shellcheck disable=SC2016 # the backquotes are markdown's, not the shell's
links() {
	awk '/^```/ { code = !code; next } !code { print }' "$1" |
		sed -E 's/`[^`]*`//g' |
		grep -oE '\]\([^) ]+\)' |
		sed -E 's/^\]\(//; s/\)$//'
}

echo "1..$((2 + ${#files[@]} + ${#docs[@]}))"

lines=$(wc -l <README.md)
[ "$lines" -le "$max_lines" ]
ok $? "README.md is $lines lines (at most $max_lines)"

head -n 8 README.md | grep -q 'scripts/demo' &&
	head -n 8 README.md | grep -q 'scripts/test'
ok $? "README.md starts with scripts/demo and scripts/test"

for f in "${files[@]}"; do
	bad=()
	while read -r target; do
		case $target in
		http://* | https://* | mailto:* | '#'*) continue ;;
		esac
		path=${target%%#*}
		anchor=
		[ "$path" != "$target" ] && anchor=${target#*#}
		full=$(dirname "$f")/$path
		if [ ! -e "$full" ]; then
			bad+=("$target")
		elif [ -n "$anchor" ] && [ "${path##*.}" = md ] &&
			! slugs "$full" | grep -qxF -- "$anchor"; then
			bad+=("$target (no such heading)")
		fi
	done < <(links "$f")
	[ ${#bad[@]} = 0 ]
	ok $? "$f: every relative link points at a file that exists"
	for b in "${bad[@]}"; do
		echo "# $f: broken link: $b"
	done
done

for d in "${docs[@]}"; do
	links README.md | sed 's/#.*//' | grep -qxF "$d"
	ok $? "$d is linked from README.md"
done

exit $fail
