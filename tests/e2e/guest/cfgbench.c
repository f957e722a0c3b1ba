// SPDX-License-Identifier: MIT
/*
 * cfgbench: what one PCI config read of the host bridge (00:00.0) costs a
 * guest through each mechanism, timed in the guest:
 *
 *   type1  outl(address, 0xcf8) then inl(0xcfc), as Linux's
 *          pci_conf1_read does for offsets below 256 (iopl 3)
 *   ecam   a 32-bit load from the ECAM window (/dev/mem; iomem=relaxed)
 *
 *   cfgbench [-n N]   ->  CFGBENCH n=N type1_ns=... ecam_ns=... vendor=...
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define ECAM_BASE 0xe0000000ULL /* docs/guest.md: bus 0 at 0xe0000000 */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = 2000, i;
	uint32_t v1 = 0, v2 = 0;
	volatile uint32_t *ecam;
	uint64_t t0, t1, t2;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "-n"))
		n = atol(argv[2]);
	if (n <= 0 || iopl(3)) {
		printf("CFGBENCH error: iopl\n");
		return 1;
	}
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	ecam = fd < 0 ? MAP_FAILED
		      : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
			     (off_t)ECAM_BASE);
	if (ecam == MAP_FAILED) {
		printf("CFGBENCH error: /dev/mem at ECAM (boot with iomem=relaxed)\n");
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		outl(0x80000000u | ((uint32_t)(i & 15) << 2), 0xcf8);
		v1 ^= inl(0xcfc);
	}
	outl(0x80000000u, 0xcf8);
	v1 = inl(0xcfc);
	t1 = now_ns();
	for (i = 0; i < n; i++)
		v2 ^= ecam[i & 15];
	v2 = ecam[0];
	t2 = now_ns();
	printf("CFGBENCH n=%ld type1_ns=%.0f ecam_ns=%.0f vendor=%08x/%08x\n",
	       n, (double)(t1 - t0) / n, (double)(t2 - t1) / n, v1, v2);
	return v1 == v2 ? 0 : 1;
}
