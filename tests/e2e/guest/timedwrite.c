/* SPDX-License-Identifier: MIT */
/*
 * How long one write(2) takes, timed in the guest: scripts/bench times the
 * write to a device's sysfs `enable` that turns on its BARs' decoding
 * (the config write a VMM may answer by mapping the BARs for DMA).
 *
 *   timedwrite FILE STRING
 *
 * Prints "PTVM-TIMED FILE us=MICROSECONDS"; exit 0 when the write took.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: timedwrite FILE STRING\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	n = write(fd, argv[2], strlen(argv[2]));
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (n != (ssize_t)strlen(argv[2])) {
		perror(argv[1]);
		return 1;
	}
	printf("PTVM-TIMED %s us=%.1f\n", argv[1],
	       (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3);
	return 0;
}
