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
# nvme_scenario NAME SECS: on the host, runs tests/e2e/NAME.t --in-l1 in the
# nested sandbox with a blank 64 MiB NVMe drive (0000:00:04.0) and the NVMe
# guest's initrd (build/e2e/nvme.cpio.gz) ready
nvme_scenario() {
	local img=build/e2e/$1.img
	scripts/guest-initrd build/e2e/nvme.cpio.gz tests/e2e/guest/nvme-init.sh nvme \
		-- tests/e2e/guest/common.sh:common.sh
	rm -f $img
	truncate -s 64M $img
	scripts/nested -t "$2" -d nvme:$img -- bash tests/e2e/$1.t --in-l1 || echo "# nested: exit $?"
}
