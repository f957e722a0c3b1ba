# Sourced by every L2 init: a shell, the usual mounts, and the command line.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# arg NAME: the value of NAME=... on the kernel command line
arg() { sed -n "s/.*\<$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
# finish: what the test asked for at the end (ptvm.end=poweroff|reboot|hang)
finish() {
	[ -n "$(arg ptvm.delay)" ] && sleep "$(arg ptvm.delay)"
	case $(arg ptvm.end) in
	reboot) echo PTVM-REBOOTING; reboot -f ;;
	hang) echo PTVM-HANGING; while :; do sleep 1; done ;;
	*) echo PTVM-POWEROFF; poweroff -f ;;
	esac
}
