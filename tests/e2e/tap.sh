# TAP output for scenario scripts (sourced). Test lines carry no numbers:
# a scenario prints some of them in L1 and some on the host.
tap_plan() { echo "1..$1"; }
tap_ok() { echo "ok - $*"; }
tap_fail() { echo "not ok - $*"; }
tap_diag() { sed 's/^/# /'; }
# tap_check NAME COMMAND...: ok if COMMAND succeeds
tap_check() {
	local n=$1
	shift
	if "$@"; then tap_ok "$n"; else tap_fail "$n"; fi
}
