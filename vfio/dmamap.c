/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "vfio/dmamap.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int dmamap_run(struct dmamap *d)
{
	const struct mem *m = d->mem;
	uint64_t t0 = now_ns(), t1, off, n;
	unsigned int i;

	d->err = mem_prefault(m, d->prefault_threads, &d->stop);
	t1 = now_ns();
	d->prefault_ns = t1 - t0;
	for (i = 0; i < m->nranges && !d->err; i++) {
		const struct mem_range *r = &m->range[i];

		for (off = 0; off < r->size && !d->err; off += n) {
			if (d->stop) {
				d->err = -ECANCELED;
				break;
			}
			n = r->size - off < DMAMAP_CHUNK ? r->size - off
							 : DMAMAP_CHUNK;
			d->err = vfio_dma_map(d->vfio, r->gpa + off,
					      r->hva + off, n);
			if (d->err)
				d->fail_gpa = r->gpa + off;
		}
	}
	d->map_ns = now_ns() - t1;
	return d->err;
}

static void *dmamap_thread(void *arg)
{
	struct dmamap *d = arg;
	uint64_t one = 1;

	dmamap_run(d);
	if (write(d->done_fd, &one, sizeof(one)) < 0) {
		/* an eventfd at its limit still reads as ready */
	}
	return NULL;
}

int dmamap_start(struct dmamap *d)
{
	int ret;

	d->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->done_fd < 0)
		return -errno;
	ret = pthread_create(&d->thread, NULL, dmamap_thread, d);
	if (ret) {
		close(d->done_fd);
		d->done_fd = -1;
		return -ret;
	}
	d->started = 1;
	return 0;
}

void dmamap_join(struct dmamap *d, int stop)
{
	if (!d->started)
		return;
	if (stop)
		d->stop = 1;
	pthread_join(d->thread, NULL);
	d->started = 0;
	close(d->done_fd);
	d->done_fd = -1;
}
