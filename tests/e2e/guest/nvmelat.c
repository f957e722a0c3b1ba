/* SPDX-License-Identifier: MIT */
/*
 * nvmelat: block device read latency and throughput from inside a guest,
 * for scripts/bench (busybox has no fio).
 *
 *   nvmelat [-n N] [-s MIB] [-b KIB] DEV
 *
 * N reads of 4 KiB at random 4 KiB-aligned offsets, one at a time (QD1),
 * with O_DIRECT so that each is a device command and not a page-cache hit;
 * each is timed with clock_gettime(CLOCK_MONOTONIC). Then MIB MiB read
 * sequentially from offset 0 in blocks of KIB KiB, also O_DIRECT and QD1.
 * Last line:
 *
 *   PTVM-NVMELAT n=N p50_us=.. p99_us=.. seq_MBps=..
 *
 * (percentiles by nearest rank; MB/s in 10^6 bytes). Exit 0, or 1 with one
 * line on stderr saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#define NVMELAT_BS 4096

static uint64_t nvmelat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: offsets only need to defeat read-ahead and caching */
static uint64_t nvmelat_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int nvmelat_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest value with at least pct% of them at or below */
static double nvmelat_pct_us(const uint64_t *v, long n, int pct)
{
	long k = (n * pct + 99) / 100;

	if (k < 1)
		k = 1;
	return v[k - 1] / 1000.0;
}

static int nvmelat_usage(void)
{
	fprintf(stderr, "usage: nvmelat [-n N] [-s MIB] [-b KIB] DEV\n");
	return 2;
}

int main(int argc, char **argv)
{
	long n = 10000, seq_mib = 64, blk_kib = 128, i;
	uint64_t size = 0, seed, t0, *lat;
	double p50 = 0, p99 = 0, mbps = 0;
	void *buf;
	int fd, o;

	while ((o = getopt(argc, argv, "n:s:b:")) != -1) {
		switch (o) {
		case 'n':
			n = atol(optarg);
			break;
		case 's':
			seq_mib = atol(optarg);
			break;
		case 'b':
			blk_kib = atol(optarg);
			break;
		default:
			return nvmelat_usage();
		}
	}
	if (optind + 1 != argc || n < 0 || seq_mib < 0 || blk_kib < 4 ||
	    blk_kib % 4)
		return nvmelat_usage();

	fd = open(argv[optind], O_RDONLY | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "nvmelat: %s: %s\n", argv[optind],
			strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) < 0 || size < NVMELAT_BS) {
		fprintf(stderr,
			"nvmelat: %s: cannot size it (a block device?)\n",
			argv[optind]);
		return 1;
	}
	if ((uint64_t)seq_mib << 20 > size)
		seq_mib = size >> 20;
	lat = calloc(n ? n : 1, sizeof(*lat));
	if (!lat || posix_memalign(&buf, NVMELAT_BS, blk_kib << 10)) {
		fprintf(stderr, "nvmelat: out of memory\n");
		return 1;
	}

	seed = nvmelat_now_ns() | 1;
	for (i = 0; i < n; i++) {
		off_t off =
			nvmelat_rand(&seed) % (size / NVMELAT_BS) * NVMELAT_BS;

		t0 = nvmelat_now_ns();
		if (pread(fd, buf, NVMELAT_BS, off) != NVMELAT_BS) {
			fprintf(stderr, "nvmelat: read at %lld: %s\n",
				(long long)off, strerror(errno));
			return 1;
		}
		lat[i] = nvmelat_now_ns() - t0;
	}
	if (n) {
		qsort(lat, n, sizeof(*lat), nvmelat_cmp);
		p50 = nvmelat_pct_us(lat, n, 50);
		p99 = nvmelat_pct_us(lat, n, 99);
	}

	if (seq_mib) {
		uint64_t total = (uint64_t)seq_mib << 20, done = 0;
		size_t bs = blk_kib << 10;

		t0 = nvmelat_now_ns();
		while (done < total) {
			ssize_t r = pread(fd, buf, bs, done);

			if (r <= 0) {
				fprintf(stderr, "nvmelat: read at %llu: %s\n",
					(unsigned long long)done,
					r ? strerror(errno) : "end of device");
				return 1;
			}
			done += r;
		}
		mbps = done * 1000.0 / (nvmelat_now_ns() - t0);
	}

	printf("PTVM-NVMELAT n=%ld p50_us=%.1f p99_us=%.1f seq_MBps=%.1f\n", n,
	       p50, p99, mbps);
	free(lat);
	free(buf);
	close(fd);
	return 0;
}
