/* SPDX-License-Identifier: MIT */
/*
 * `ptvm bind` and `ptvm unbind`: driver_override moves a device to
 * vfio-pci; the driver it had is remembered under /run/ptvm so that unbind
 * can give it back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "opts.h"
#include "vfio/bind.h"
#include "vfio/probe.h"
#include "vfio/sysfs.h"

#define STATE_DIR "/run/ptvm"

static int put(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Is needle somewhere in s? (strstr pulls in musl's two-way search.) */
static int has_part(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return 1;
	return 0;
}

/* Does any mounted filesystem or swap sit on a block device of bdf? */
static int busy_block(const char *bdf, char *what, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX], line[512], needle[64];
	struct dirent *e;
	DIR *d = opendir("/sys/block");
	int busy = 0;
	ssize_t n;

	if (!d)
		return 0;
	fmt_snprintf(needle, sizeof(needle), "/%s/", bdf);
	while (!busy && (e = readdir(d))) {
		FILE *f;
		const char *files[] = { "/proc/mounts", "/proc/swaps" };
		unsigned int i;

		if (e->d_name[0] == '.')
			continue;
		/*
		 * /sys/block/X links to ../devices/<the path of its parents>/X:
		 * the PCI function, if it is one of them, is a whole component.
		 */
		fmt_snprintf(path, sizeof(path), "/sys/block/%s", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (!has_part(link, needle))
			continue;
		fmt_snprintf(needle, sizeof(needle), "/dev/%s", e->d_name);
		for (i = 0; i < 2 && !busy; i++) {
			f = fopen(files[i], "r");
			while (f && fgets(line, sizeof(line), f)) {
				if (!strncmp(line, needle, strlen(needle))) {
					line[strcspn(line, "\n")] = '\0';
					fmt_snprintf(what, len,
						     "%s is in use (%s)",
						     e->d_name, line);
					busy = 1;
					break;
				}
			}
			if (f)
				fclose(f);
		}
		fmt_snprintf(needle, sizeof(needle), "/%s/", bdf);
	}
	closedir(d);
	return busy;
}

/* Is a network interface of bdf up? */
static int busy_net(const char *bdf, char *what, size_t len)
{
	char path[PATH_MAX], flags[32] = "";
	struct dirent *e;
	int busy = 0;
	DIR *d;

	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/net", bdf);
	d = opendir(path);
	if (!d)
		return 0;
	while (!busy && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		fmt_snprintf(path, sizeof(path), "/sys/class/net/%s/flags",
			     e->d_name);
		f = fopen(path, "r");
		if (f && fgets(flags, sizeof(flags), f) &&
		    (fmt_strtoull(flags, NULL, 16) & 1)) {
			fmt_snprintf(what, len, "interface %s is up",
				     e->d_name);
			busy = 1;
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return busy;
}

static int bind_one(const char *bdf, int force)
{
	char drv[64], path[PATH_MAX], what[600];
	FILE *f;
	int ret;

	sysfs_dev_driver(bdf, drv, sizeof(drv));
	if (!strcmp(drv, "vfio-pci")) {
		fmt_fprintf(stdout, "%s: already bound to vfio-pci\n", bdf);
		return 0;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK)) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: the vfio-pci driver is not loaded (modprobe vfio-pci)\n",
			bdf);
		return EXIT_ERROR;
	}
	if (!force && (busy_block(bdf, what, sizeof(what)) ||
		       busy_net(bdf, what, sizeof(what)))) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: %s; stop using it first, or bind with --force\n",
			bdf, what);
		return EXIT_ERROR;
	}
	mkdir(STATE_DIR, 0755);
	fmt_snprintf(path, sizeof(path), STATE_DIR "/%s.driver", bdf);
	f = fopen(path, "w");
	if (!f) {
		fmt_fprintf(stderr,
			    "ptvm: %s: cannot remember its driver in %s: %s\n",
			    bdf, path, strerror(errno));
		return EXIT_ERROR;
	}
	fmt_fprintf(f, "%s\n", drv);
	fclose(f);

	fmt_snprintf(path, sizeof(path),
		     "/sys/bus/pci/devices/%s/driver_override", bdf);
	ret = put(path, "vfio-pci");
	if (!ret && drv[0]) {
		fmt_snprintf(path, sizeof(path),
			     "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		ret = put(path, bdf);
	}
	if (!ret)
		ret = put("/sys/bus/pci/drivers_probe", bdf);
	sysfs_dev_driver(bdf, drv, sizeof(drv));
	if (ret || strcmp(drv, "vfio-pci")) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: could not bind it to vfio-pci (%s; is it in an IOMMU group?)\n",
			bdf, ret ? strerror(-ret) : "no driver took it");
		return EXIT_ERROR;
	}
	fmt_fprintf(stdout, "%s: bound to vfio-pci\n", bdf);
	return 0;
}

static int unbind_one(const char *bdf)
{
	char drv[64], old[64] = "", path[PATH_MAX];
	FILE *f;
	int ret;

	sysfs_dev_driver(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci")) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: not bound to vfio-pci (bound to %s); nothing to undo\n",
			bdf, drv[0] ? drv : "no driver");
		return EXIT_ERROR;
	}
	fmt_snprintf(path, sizeof(path), STATE_DIR "/%s.driver", bdf);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(old, sizeof(old), f))
			old[0] = '\0';
		old[strcspn(old, "\n")] = '\0';
		fclose(f);
	}
	fmt_snprintf(path, sizeof(path),
		     "/sys/bus/pci/devices/%s/driver_override", bdf);
	ret = put(path, "\n");
	if (!ret) {
		fmt_snprintf(path, sizeof(path),
			     "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		ret = put(path, bdf);
	}
	if (!ret && old[0]) {
		fmt_snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
			     old);
		ret = put(path, bdf);
	} else if (!ret) {
		/* Nothing remembered: let the kernel pick, as at boot. */
		ret = put("/sys/bus/pci/drivers_probe", bdf);
	}
	if (ret) {
		fmt_fprintf(stderr,
			    "ptvm: %s: could not give it back to %s: %s\n", bdf,
			    old[0] ? old : "its driver", strerror(-ret));
		return EXIT_ERROR;
	}
	fmt_snprintf(path, sizeof(path), STATE_DIR "/%s.driver", bdf);
	unlink(path);
	sysfs_dev_driver(bdf, drv, sizeof(drv));
	fmt_fprintf(stdout, "%s: bound to %s\n", bdf,
		    drv[0] ? drv : "no driver");
	return 0;
}

int bind_main(int argc, char *argv[])
{
	int unbind = !strcmp(argv[0], "unbind"), force = 0, i, n = 0, rc = 0;
	struct pci_bdf b;
	char bdf[16];

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--force"))
			force = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			continue;
		if (opts_parse_bdf(argv[i], &b)) {
			fmt_fprintf(
				stderr,
				"ptvm: %s: '%s' is not a PCI address (use DDDD:BB:SS.F, e.g. 0000:01:00.0)\n",
				argv[0], argv[i]);
			return EXIT_USAGE;
		}
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			continue;
		opts_parse_bdf(argv[i], &b);
		fmt_snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", b.domain,
			     b.bus, b.slot, b.fn);
		n++;
		if (!sysfs_dev_exists(bdf)) {
			fmt_fprintf(
				stderr,
				"ptvm: %s: no such PCI device (lspci -D lists the host's devices)\n",
				bdf);
			rc = EXIT_ERROR;
			continue;
		}
		if (unbind ? unbind_one(bdf) : bind_one(bdf, force))
			rc = EXIT_ERROR;
	}
	if (!n) {
		fmt_fprintf(stderr,
			    "ptvm: %s: which devices? (ptvm %s BDF...)\n",
			    argv[0], argv[0]);
		return EXIT_USAGE;
	}
	return rc;
}
