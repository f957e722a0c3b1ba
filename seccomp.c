/* SPDX-License-Identifier: MIT */
/*
 * The seccomp allowlist. Each allowed value is tested by a pair of
 * instructions, "jeq value, 0, 1; ret ALLOW", so that no jump ever needs
 * more than one instruction of reach, whatever the lists hold.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/vfio.h>

#include "arch.h"
#include "opts.h"
#include "seccomp.h"

/* What the epoll loop, the vCPU threads and the teardown use. */
static const unsigned int run_syscalls[] = {
	SYS_read,
	SYS_write,
	SYS_readv,
	SYS_writev,
	SYS_pread64,
	SYS_pwrite64,
	SYS_close,
	SYS_lseek,
	SYS_fcntl,
	SYS_ftruncate,
	SYS_epoll_pwait,
	SYS_epoll_ctl,
	SYS_eventfd2,
	SYS_futex,
	SYS_rt_sigreturn,
	SYS_rt_sigprocmask,
	SYS_rt_sigaction,
	SYS_tkill,
	SYS_tgkill,
	SYS_getpid,
	SYS_gettid,
	SYS_exit,
	SYS_exit_group,
	SYS_munmap,
	SYS_brk,
	SYS_madvise,
	SYS_mremap,
	SYS_sched_yield,
	SYS_nanosleep,
	SYS_clock_nanosleep,
	SYS_clock_gettime,
	SYS_gettimeofday,
	SYS_sched_setaffinity,
	SYS_sched_getaffinity,
	SYS_sched_setscheduler,
	SYS_restart_syscall,
	SYS_set_robust_list,
	SYS_membarrier,
};

/* Setup again (--reboot): files, new descriptors, stat. */
static const unsigned int setup_syscalls[] = {
	SYS_openat,	SYS_fstat,	SYS_newfstatat, SYS_statx,
	SYS_readlinkat, SYS_getdents64, SYS_faccessat,	SYS_epoll_create1,
	SYS_signalfd4,	SYS_dup,	SYS_dup3,	SYS_uname,
	SYS_mlockall,	SYS_prlimit64,
};

static const unsigned int run_ioctls[] = {
	KVM_RUN,
	KVM_IRQ_LINE,
	KVM_SET_GSI_ROUTING,
	KVM_IRQFD,
	KVM_SET_USER_MEMORY_REGION,
	VFIO_DEVICE_SET_IRQS,
	VFIO_DEVICE_RESET,
	VFIO_IOMMU_MAP_DMA, /* BARs the guest moves, for peer-to-peer DMA */
	VFIO_IOMMU_UNMAP_DMA,
	VFIO_GROUP_UNSET_CONTAINER,
	TCGETS, /* the terminal's state comes back at exit */
	TCSETS,
	TCSETSW,
	TIOCGWINSZ, /* stdio asks whether stdout is a terminal */
};

static const unsigned int setup_ioctls[] = {
	KVM_CHECK_EXTENSION,
	KVM_CREATE_VCPU,
	KVM_CREATE_VM,
	KVM_ENABLE_CAP,
	KVM_GET_API_VERSION,
	KVM_GET_VCPU_MMAP_SIZE,
	VFIO_CHECK_EXTENSION,
	VFIO_DEVICE_GET_INFO,
	VFIO_DEVICE_GET_IRQ_INFO,
	VFIO_DEVICE_GET_REGION_INFO,
	VFIO_GET_API_VERSION,
	VFIO_GROUP_GET_DEVICE_FD,
	VFIO_GROUP_GET_STATUS,
	VFIO_GROUP_SET_CONTAINER,
	VFIO_SET_IOMMU,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(uint64_t))

struct bpf_out {
	struct sock_filter *f;
	size_t n, max;
};

static void emit(struct bpf_out *o, struct sock_filter insn)
{
	if (o->n < o->max)
		o->f[o->n] = insn;
	o->n++;
}

static void emit_allow_if(struct bpf_out *o, uint32_t k)
{
	emit(o,
	     (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 1));
	emit(o,
	     (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
}

static void emit_list(struct bpf_out *o, const unsigned int *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		emit_allow_if(o, k[i]);
}

static void emit_load(struct bpf_out *o, uint32_t off)
{
	emit(o, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off));
}

static void emit_ret(struct bpf_out *o, uint32_t action)
{
	emit(o, (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, action));
}

/* "if nr == k, go on with the next block, else skip len instructions" */
static void emit_if_nr(struct bpf_out *o, uint32_t nr, uint8_t len)
{
	emit(o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0,
					     len));
}

int seccomp_build(const struct seccomp_policy *p, struct sock_filter *f,
		  size_t max)
{
	const struct seccomp_arch *a = &arch_seccomp;
	struct bpf_out o = { .f = f, .max = max };
	size_t nio = N(run_ioctls) + a->nrun_ioctls;

	if (p->setup_again)
		nio += N(setup_ioctls) + a->nsetup_ioctls;
	/*
	 * Another ABI (i386, x32, arm32 compat) would reuse numbers for other
	 * calls.
	 */
	emit_load(&o, offsetof(struct seccomp_data, arch));
	emit(&o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      a->audit_arch, 1, 0));
	emit_ret(&o, SECCOMP_RET_KILL_PROCESS);
	emit_load(&o, offsetof(struct seccomp_data, nr));
	emit(&o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
					      0x40000000, 0, 1));
	emit_ret(&o, SECCOMP_RET_KILL_PROCESS);

	/* ioctl: by request number (the kernel reads it as 32 bits). */
	if (nio * 2 + 2 > 255)
		return -ENOSPC;
	emit_if_nr(&o, SYS_ioctl, (uint8_t)(nio * 2 + 2));
	emit_load(&o, ARG_LO(1));
	emit_list(&o, run_ioctls, N(run_ioctls));
	emit_list(&o, a->run_ioctls, a->nrun_ioctls);
	if (p->setup_again) {
		emit_list(&o, setup_ioctls, N(setup_ioctls));
		emit_list(&o, a->setup_ioctls, a->nsetup_ioctls);
	}
	emit_ret(&o, SECCOMP_RET_TRAP);

	/* clone: threads only (musl's pthread_create), never new processes. */
	emit_if_nr(&o, SYS_clone, 4);
	emit_load(&o, ARG_LO(0));
	emit(&o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					      CLONE_THREAD, 0, 1));
	emit_ret(&o, SECCOMP_RET_ALLOW);
	emit_ret(&o, SECCOMP_RET_TRAP);

	/* mmap and mprotect: never executable memory. */
	emit(&o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
					      SYS_mmap, 1, 0));
	emit_if_nr(&o, SYS_mprotect, 4);
	emit_load(&o, ARG_LO(2));
	emit(&o, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
					      PROT_EXEC, 0, 1));
	emit_ret(&o, SECCOMP_RET_TRAP);
	emit_ret(&o, SECCOMP_RET_ALLOW);

	emit_list(&o, run_syscalls, N(run_syscalls));
	emit_list(&o, a->run_syscalls, a->nrun_syscalls);
	if (p->setup_again) {
		emit_list(&o, setup_syscalls, N(setup_syscalls));
		emit_list(&o, a->setup_syscalls, a->nsetup_syscalls);
	}
	emit_ret(&o, SECCOMP_RET_TRAP);
	return o.n > max ? -ENOSPC : (int)o.n;
}

static void fmt_uint(char *buf, unsigned int v)
{
	char tmp[12];
	int n = 0, i = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
}

/* Async-signal-safe: one line, then out. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char a[] = "ptvm: seccomp refused system call ",
			  b[] = " (a ptvm bug: please report it; --no-seccomp "
				"turns the filter off)\n";
	char nr[12];

	(void)sig;
	(void)uc;
	fmt_uint(nr, (unsigned int)si->si_syscall);
	if (write(STDERR_FILENO, a, sizeof(a) - 1) < 0 ||
	    write(STDERR_FILENO, nr, strlen(nr)) < 0 ||
	    write(STDERR_FILENO, b, sizeof(b) - 1) < 0)
		_exit(EXIT_ERROR);
	_exit(EXIT_ERROR);
}

int seccomp_install(const struct seccomp_policy *p)
{
	struct sock_filter f[SECCOMP_MAX_INSNS];
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	struct sock_fprog prog;
	sigset_t set;
	int n = seccomp_build(p, f, SECCOMP_MAX_INSNS);

	if (n < 0)
		return n;
	prog = (struct sock_fprog){ .len = (unsigned short)n, .filter = f };
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGSYS);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return -errno;
	return 0;
}
