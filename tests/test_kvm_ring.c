// SPDX-License-Identifier: MIT
/*
 * coalesced.c against the running kernel's KVM: a real-mode guest writes
 * 0xcf8 200 times without an exit, then reads 0xcfc. KVM must queue the
 * writes until its ring is full, exit on the one that does not fit, and
 * queue the rest; drained before each exit is handled, the writes must
 * come back complete and in order. Skipped without /dev/kvm or
 * KVM_CAP_COALESCED_PIO.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "coalesced.h"
#include "harness.h"

#define WRITES 200

/* Real mode at 0: eax = 0x80000000; 200 times out 0xcf8, eax++; in 0xcfc; hlt */
static const uint8_t code[] = {
	0x66, 0xb8,   0x00, 0x00, 0x00, 0x80, /* mov eax, 0x80000000 */
	0xba, 0xf8,   0x0c, /* mov dx, 0xcf8 */
	0xb9, WRITES, 0x00, /* mov cx, WRITES */
	0x66, 0xef, /* 1: out dx, eax */
	0x66, 0x40, /* inc eax */
	0x49, /* dec cx */
	0x75, 0xf9, /* jnz 1b */
	0xba, 0xfc,   0x0c, /* mov dx, 0xcfc */
	0x66, 0xed, /* in eax, dx */
	0xf4, /* hlt */
};

struct seen {
	unsigned int n;
	uint32_t val[WRITES];
};

static void record(void *opaque, const struct kvm_coalesced_mmio *e)
{
	struct seen *s = opaque;

	if (s->n < WRITES && e->phys_addr == 0xcf8 && e->len == 4)
		memcpy(&s->val[s->n++], e->data, 4);
}

TEST(kvm_queues_in_order_and_exits_when_its_ring_is_full)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, cpu, off, size;
	struct kvm_coalesced_mmio_zone z = { .addr = 0xcf8,
					     .size = 4,
					     .pio = 1 };
	struct kvm_userspace_memory_region mr = { .memory_size = 0x10000 };
	struct coalesced_ring c = { 0 };
	struct seen s = { 0 };
	struct kvm_sregs sr;
	struct kvm_regs r = { .rflags = 2 };
	struct kvm_run *run;
	unsigned int exits = 0, i;
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	if (kvm < 0)
		SKIP("no /dev/kvm");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_PIO) <= 0)
		SKIP("no KVM_CAP_COALESCED_PIO");
	off = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		SKIP("KVM_CREATE_VM refused");
	ASSERT_TRUE(off > 0 && (off + 1) * page <= size);
	mem = mmap(NULL, mr.memory_size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	memcpy(mem, code, sizeof(code));
	mr.userspace_addr = (uint64_t)(uintptr_t)mem;
	ASSERT_EQ(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mr), 0);
	ASSERT_EQ(ioctl(vm, KVM_REGISTER_COALESCED_MMIO, &z), 0);
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	ASSERT_GE(cpu, 0);
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, cpu,
		   0);
	ASSERT_TRUE(run != MAP_FAILED);
	/* The ring on its own, as ptvm maps it. */
	c.r = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, cpu,
		   off * page);
	ASSERT_TRUE(c.r != MAP_FAILED);
	c.max = coalesced_max((unsigned long)page);
	ASSERT_EQ(ioctl(cpu, KVM_GET_SREGS, &sr), 0);
	sr.cs.base = 0;
	sr.cs.selector = 0;
	ASSERT_EQ(ioctl(cpu, KVM_SET_SREGS, &sr), 0);
	ASSERT_EQ(ioctl(cpu, KVM_SET_REGS, &r), 0);

	for (;;) {
		ASSERT_EQ(ioctl(cpu, KVM_RUN, 0), 0);
		/* What KVM queued comes before the access that exited. */
		coalesced_drain(&c, record, &s);
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		ASSERT_EQ(run->exit_reason, KVM_EXIT_IO);
		exits++;
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			struct kvm_coalesced_mmio e = {
				.phys_addr = run->io.port, .len = run->io.size
			};

			memcpy(e.data, (uint8_t *)run + run->io.data_offset, 4);
			record(&s, &e); /* the write that did not fit */
		} else {
			ASSERT_EQ(run->io.port, 0xcfc);
		}
		ASSERT_LE(exits, 3);
	}
	/* one exit for the full ring, one for the read of 0xcfc */
	EXPECT_EQ(exits, 2);
	ASSERT_EQ(s.n, WRITES);
	for (i = 0; i < WRITES; i++)
		EXPECT_EQ(s.val[i], 0x80000000u + i);
	EXPECT_EQ(c.replayed, WRITES - 1);
}

TEST_MAIN()
