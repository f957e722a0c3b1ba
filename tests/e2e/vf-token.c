/* SPDX-License-Identifier: MIT */
/*
 * The owner of an SR-IOV PF bound to vfio-pci, for tests/e2e/sriov.t: opens
 * the PF through VFIO, sets the VF token (VFIO_DEVICE_FEATURE_PCI_VF_TOKEN)
 * that users of its VFs must then give, prints READY and holds the PF open
 * until it is killed, as a VMM that owns the PF would.
 *
 *   vf-token GROUP BDF UUID
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

int main(int argc, char **argv)
{
	struct {
		struct vfio_device_feature f;
		unsigned char uuid[16];
	} feat = { 0 };
	char path[64];
	unsigned int i, n = 0;
	int container, group, dev;

	if (argc != 4)
		return fprintf(stderr, "usage: vf-token GROUP BDF UUID\n"), 2;
	for (i = 0; argv[3][i] && n < 32; i++) {
		char c = argv[3][i];
		unsigned int v;

		if (c == '-')
			continue;
		if (sscanf((char[]){ c, 0 }, "%1x", &v) != 1)
			return fprintf(stderr, "vf-token: bad UUID\n"), 2;
		feat.uuid[n / 2] |= (unsigned char)(n % 2 ? v : v << 4);
		n++;
	}
	if (n != 32 || argv[3][i])
		return fprintf(stderr, "vf-token: bad UUID\n"), 2;
	container = open("/dev/vfio/vfio", O_RDWR);
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0)
		return die("open");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return die("container");
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	if (dev < 0)
		return die("VFIO_GROUP_GET_DEVICE_FD");
	feat.f.argsz = sizeof(feat);
	feat.f.flags = VFIO_DEVICE_FEATURE_SET |
		       VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	if (ioctl(dev, VFIO_DEVICE_FEATURE, &feat))
		return die("VFIO_DEVICE_FEATURE_PCI_VF_TOKEN");
	printf("READY\n");
	fflush(stdout);
	for (;;)
		pause();
}
