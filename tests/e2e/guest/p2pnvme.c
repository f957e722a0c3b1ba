/* SPDX-License-Identifier: MIT */
/*
 * Peer-to-peer DMA from inside an L2 guest: drives an NVMe controller
 * (no driver bound) from user space with every queue and data buffer in
 * another device's memory BAR (ivshmem). The controller then DMAs only
 * into and out of that BAR, at its guest physical (= bus) address; the
 * host checks the bytes in ivshmem's backing file and in the disk image.
 *
 *   p2pnvme NVME-SYSFS-DIR BAR-SYSFS-DIR READ-LBA WRITE-LBA
 *
 * Layout in the target BAR (BAR 2 of BAR-SYSFS-DIR): admin SQ at 0, admin
 * CQ at 0x1000, I/O SQ at 0x2000, I/O CQ at 0x3000, identify data at
 * 0x8000, read target at 0x10000 (4 KiB from READ-LBA), write source at
 * 0x20000 (4 KiB to WRITE-LBA, whatever the host put there).
 * Prints "PTVM-P2P ..." lines; exit 0 when every command completed with
 * success status.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define QSIZE 16
#define OFF_ASQ 0x0
#define OFF_ACQ 0x1000
#define OFF_IOSQ 0x2000
#define OFF_IOCQ 0x3000
#define OFF_IDENT 0x8000
#define OFF_READ 0x10000
#define OFF_WRITE 0x20000
#define MAP_LEN 0x40000

struct q {
	volatile uint32_t *sq, *cq; /* in the target BAR */
	unsigned int qid, tail, head, phase;
};

static volatile uint8_t *regs, *bar;
static uint64_t bar_phys;
static unsigned int dstrd;
static uint16_t cid;

static void die(const char *what)
{
	printf("PTVM-P2P error %s\n", what);
	exit(1);
}

static uint32_t rd32(unsigned int off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr32(unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static void wr64(unsigned int off, uint64_t v)
{
	wr32(off, (uint32_t)v);
	wr32(off + 4, (uint32_t)(v >> 32));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *map_res(const char *dir, int n, size_t len)
{
	char p[256];
	void *m;
	int fd;

	snprintf(p, sizeof(p), "%s/resource%d", dir, n);
	fd = open(p, O_RDWR | O_SYNC);
	if (fd < 0)
		die("open resource");
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap resource");
	close(fd);
	return m;
}

/* Memory decoding and bus mastering on, through the config file. */
static void enable(const char *dir, uint16_t bits)
{
	char p[256];
	uint16_t cmd;
	int fd;

	snprintf(p, sizeof(p), "%s/config", dir);
	fd = open(p, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, 4) != 2)
		die("read config");
	cmd |= bits;
	if (pwrite(fd, &cmd, 2, 4) != 2)
		die("write config");
	close(fd);
}

static uint64_t bar2_phys(const char *dir)
{
	char p[256];
	unsigned long long s = 0, e, f;
	FILE *fp;
	int i;

	snprintf(p, sizeof(p), "%s/resource", dir);
	fp = fopen(p, "r");
	if (!fp)
		die("open resource list");
	for (i = 0; i < 3; i++)
		if (fscanf(fp, "%llx %llx %llx", &s, &e, &f) != 3)
			die("parse resource list");
	fclose(fp);
	return s;
}

static void doorbell(unsigned int qid, int cq, uint32_t v)
{
	wr32(0x1000 + (2 * qid + cq) * (4u << dstrd), v);
}

/* Submits one command and polls its completion in the BAR. */
static int submit(struct q *q, uint32_t *cmd, const char *what)
{
	volatile uint32_t *e = q->sq + q->tail * 16, *c;
	double t0 = now();
	uint32_t dw3;
	int i;

	cmd[0] = (cmd[0] & 0xffff) | (uint32_t)++cid << 16;
	for (i = 0; i < 16; i++)
		e[i] = cmd[i];
	__sync_synchronize();
	q->tail = (q->tail + 1) % QSIZE;
	doorbell(q->qid, 0, q->tail);
	c = q->cq + q->head * 4;
	while (((c[3] >> 16) & 1) != q->phase) {
		if (now() - t0 > 30) {
			printf("PTVM-P2P %s timeout csts=0x%x\n", what,
			       rd32(0x1c));
			return -1;
		}
	}
	dw3 = c[3];
	q->head = (q->head + 1) % QSIZE;
	if (!q->head)
		q->phase ^= 1;
	doorbell(q->qid, 1, q->head);
	printf("PTVM-P2P %s status=0x%x\n", what, dw3 >> 17);
	return dw3 >> 17 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct q aq = { 0 }, ioq = { 0 };
	uint32_t cmd[16];
	uint64_t cap, rlba, wlba;
	double t0;
	char sn[21];
	int bad = 0;

	if (argc != 5) {
		fprintf(stderr,
			"usage: p2pnvme NVME-DIR BAR-DIR READ-LBA WRITE-LBA\n");
		return 2;
	}
	rlba = strtoull(argv[3], NULL, 0);
	wlba = strtoull(argv[4], NULL, 0);
	bar_phys = bar2_phys(argv[2]);
	printf("PTVM-P2P target bar2=0x%llx\n", (unsigned long long)bar_phys);
	enable(argv[2], 0x2);
	enable(argv[1], 0x6);
	bar = map_res(argv[2], 2, MAP_LEN);
	regs = map_res(argv[1], 0, 0x2000);
	memset((void *)bar, 0, OFF_READ); /* queues and identify data */
	memset((void *)(bar + OFF_READ), 0xee, 4096);

	cap = rd32(0) | (uint64_t)rd32(4) << 32;
	dstrd = (cap >> 32) & 0xf;
	wr32(0x14, 0); /* CC.EN = 0: reset */
	for (t0 = now(); rd32(0x1c) & 1;)
		if (now() - t0 > 30)
			die("reset timeout");
	wr32(0x24, (QSIZE - 1) << 16 | (QSIZE - 1));
	wr64(0x28, bar_phys + OFF_ASQ);
	wr64(0x30, bar_phys + OFF_ACQ);
	/* IOCQES 16 B, IOSQES 64 B, 4 KiB pages, NVM command set, enable */
	wr32(0x14, 4u << 20 | 6u << 16 | 1);
	for (t0 = now(); !(rd32(0x1c) & 1);)
		if (now() - t0 > 30 || rd32(0x1c) & 2)
			die("enable timeout");
	aq.sq = (volatile uint32_t *)(bar + OFF_ASQ);
	aq.cq = (volatile uint32_t *)(bar + OFF_ACQ);
	aq.phase = 1;

	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x06; /* Identify controller */
	cmd[6] = (uint32_t)(bar_phys + OFF_IDENT);
	cmd[7] = (uint32_t)((bar_phys + OFF_IDENT) >> 32);
	cmd[10] = 1;
	if (submit(&aq, cmd, "identify"))
		die("identify");
	memcpy(sn, (const void *)(bar + OFF_IDENT + 4), 20);
	sn[20] = 0;
	printf("PTVM-P2P identify sn=%s\n", strtok(sn, " "));

	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x05; /* Create I/O completion queue 1, polled */
	cmd[6] = (uint32_t)(bar_phys + OFF_IOCQ);
	cmd[7] = (uint32_t)((bar_phys + OFF_IOCQ) >> 32);
	cmd[10] = (QSIZE - 1) << 16 | 1;
	cmd[11] = 1;
	bad |= submit(&aq, cmd, "create-cq");
	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x01; /* Create I/O submission queue 1 on CQ 1 */
	cmd[6] = (uint32_t)(bar_phys + OFF_IOSQ);
	cmd[7] = (uint32_t)((bar_phys + OFF_IOSQ) >> 32);
	cmd[10] = (QSIZE - 1) << 16 | 1;
	cmd[11] = 1u << 16 | 1;
	bad |= submit(&aq, cmd, "create-sq");
	if (bad)
		die("queues");
	ioq.sq = (volatile uint32_t *)(bar + OFF_IOSQ);
	ioq.cq = (volatile uint32_t *)(bar + OFF_IOCQ);
	ioq.qid = 1;
	ioq.phase = 1;

	/* 512-byte blocks (QEMU's default format): 8 per 4 KiB. */
	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x02; /* Read into the BAR */
	cmd[1] = 1;
	cmd[6] = (uint32_t)(bar_phys + OFF_READ);
	cmd[7] = (uint32_t)((bar_phys + OFF_READ) >> 32);
	cmd[10] = (uint32_t)rlba;
	cmd[11] = (uint32_t)(rlba >> 32);
	cmd[12] = 7;
	bad |= submit(&ioq, cmd, "read");
	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x01; /* Write from the BAR */
	cmd[1] = 1;
	cmd[6] = (uint32_t)(bar_phys + OFF_WRITE);
	cmd[7] = (uint32_t)((bar_phys + OFF_WRITE) >> 32);
	cmd[10] = (uint32_t)wlba;
	cmd[11] = (uint32_t)(wlba >> 32);
	cmd[12] = 7;
	bad |= submit(&ioq, cmd, "write");
	memset(cmd, 0, sizeof(cmd));
	cmd[0] = 0x00; /* Flush */
	cmd[1] = 1;
	bad |= submit(&ioq, cmd, "flush");
	printf("PTVM-P2P guest-sees %.32s\n", (const char *)(bar + OFF_READ));
	wr32(0x14, 0);
	printf("PTVM-P2P %s\n", bad ? "failed" : "done");
	return bad;
}
