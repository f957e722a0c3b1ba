/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "vfio/sysfs.h"

int sysfs_dev_exists(const char *bdf)
{
	char path[PATH_MAX];
	struct stat st;

	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return stat(path, &st) == 0;
}

static void link_base(const char *path, char *buf, size_t len)
{
	char link[PATH_MAX];
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	const char *b;

	buf[0] = '\0';
	if (n < 0)
		return;
	link[n] = '\0';
	b = strrchr(link, '/');
	fmt_snprintf(buf, len, "%s", b ? b + 1 : link);
}

void sysfs_dev_driver(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX];

	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	link_base(path, buf, len);
}

int sysfs_dev_group(const char *bdf)
{
	char path[PATH_MAX], id[32];

	fmt_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		     bdf);
	link_base(path, id, sizeof(id));
	if (!id[0])
		return -ENOENT;
	return atoi(id);
}

int sysfs_group_others(const char *bdf, char *buf, size_t len)
{
	char path[PATH_MAX], drv[64];
	struct dirent *e;
	size_t off = 0;
	int group = sysfs_dev_group(bdf), n = 0;
	DIR *d;

	buf[0] = '\0';
	if (group < 0)
		return 0;
	fmt_snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/devices",
		     group);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, bdf))
			continue;
		sysfs_dev_driver(e->d_name, drv, sizeof(drv));
		if (off < len)
			off += (size_t)fmt_snprintf(buf + off, len - off,
						    "%s%s (%s)", n ? ", " : "",
						    e->d_name,
						    drv[0] ? drv : "no driver");
		n++;
	}
	closedir(d);
	return n;
}

int sysfs_group_user(int group)
{
	char want[64], path[PATH_MAX], link[PATH_MAX];
	struct dirent *p, *f;
	DIR *proc, *fds;
	int self = getpid(), found = 0;

	fmt_snprintf(want, sizeof(want), "/dev/vfio/%d", group);
	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (p = readdir(proc))) {
		int pid = atoi(p->d_name);

		if (pid <= 0 || pid == self)
			continue;
		fmt_snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((f = readdir(fds))) {
			ssize_t n;

			fmt_snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid,
				     f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (!strcmp(link, want)) {
				found = pid;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}
