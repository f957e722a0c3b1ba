/* SPDX-License-Identifier: MIT */
/*
 * ptvm: arguments -> struct vm -> the epoll loop that owns all device state.
 * This is the one place that reports a fatal error and exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "arch.h"
#include "clock.h"
#include "fmt.h"
#include "kvm.h"
#include "seccomp.h"
#include "stats.h"
#include "traps.h"
#include "vcpu.h"
#include "vfio/devices.h"
#include "vfio/bind.h"
#include "vfio/probe.h"
#include "vmm.h"

#define PTVM_VERSION "0.1"

/* ---- event sources of the loop ---- */

static int loop_add(struct vm *vm, int fd, struct vm_source *src)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };

	return epoll_ctl(vm->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

/* ---- console ---- */

static void out_flush(struct vm *vm)
{
	size_t off = 0;

	while (off < vm->out_len) {
		ssize_t n = write(STDOUT_FILENO, vm->out_buf + off,
				  vm->out_len - off);

		if (n <= 0 && errno != EINTR)
			break; /* stdout gone: the guest's output is lost */
		if (n > 0)
			off += (size_t)n;
	}
	vm->out_len = 0;
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct vm *vm = opaque;

	if (vm->out_len == sizeof(vm->out_buf))
		out_flush(vm);
	vm->out_buf[vm->out_len++] = byte;
}

static void uart_irq(void *opaque, int level)
{
	arch_uart_irq(opaque, level);
}

static const struct uart_ops vm_uart_ops = { .tx = uart_tx, .irq = uart_irq };

static void on_stdin(struct vm *vm, void *arg)
{
	uint8_t buf[UART_FIFO];
	unsigned int room = uart_rx_room(&vm->uart);
	ssize_t n;

	(void)arg;
	if (!room)
		return; /* level-triggered epoll: we come back when it drains */
	n = read(STDIN_FILENO, buf, room);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		epoll_ctl(vm->epoll_fd, EPOLL_CTL_DEL, STDIN_FILENO, NULL);
		vm->stdin_open = 0;
		return;
	}
	uart_rx_push(&vm->uart, buf, (unsigned int)n);
}

/* --stats: text on stderr; --stats=json: the JSON file, rewritten. */
static void vm_stats_dump(struct vm *vm)
{
	FILE *f = vm->stats_json;

	if (vm->opts->stats)
		stats_print(vm, stderr);
	if (f) {
		rewind(f);
		stats_json(vm, f);
		fflush(f);
		if (ftruncate(fileno(f), ftell(f)) < 0)
			clearerr(f); /* a stale tail is all we lose */
	}
}

/*
 * SIGTERM or SIGPWR, the first time: ask the guest to shut down through
 * its power button (the arch's), and give it --shutdown-timeout seconds. 1 if the
 * guest now has that time, 0 if it must stop at once.
 */
static int vm_shutdown_request(struct vm *vm, int sig)
{
	unsigned int secs = vm->opts->shutdown_timeout;

	if (!secs || vm->shutdown_sig)
		return 0; /* none asked for, or the second request */
	vm->shutdown_sig = sig;
	vm->stats.t_shutdown = clock_ns();
	if (!arch_power_press(vm)) {
		fmt_fprintf(
			stderr,
			"ptvm: %s: the guest has not enabled %s: stopping it now\n",
			strsignal(sig), arch_button);
		return 0;
	}
	fmt_fprintf(
		stderr,
		"ptvm: %s: pressed the guest's power button; stopping it in %u s unless it powers off (--shutdown-timeout)\n",
		strsignal(sig), secs);
	vm->shutdown_deadline = vm->stats.t_shutdown + secs * 1000000000ULL;
	return 1;
}

static void on_signal(struct vm *vm, void *arg)
{
	struct signalfd_siginfo si;
	int sig;

	(void)arg;
	if (read(vm->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	sig = (int)si.ssi_signo;
	if (sig == SIGUSR1) {
		vm_stats_dump(vm);
		return;
	}
	if ((sig == SIGTERM || sig == SIGPWR) && vm_shutdown_request(vm, sig))
		return;
	vm->exit_code = EXIT_SIGNAL_BASE + sig;
}

/*
 * epoll_wait's timeout: until the shutdown deadline, if one runs. When it
 * has passed, the guest is stopped as the signal asked.
 */
static int vm_deadline_ms(struct vm *vm)
{
	uint64_t now;

	if (!vm->shutdown_deadline)
		return -1;
	now = clock_ns();
	if (now < vm->shutdown_deadline)
		return (int)((vm->shutdown_deadline - now + 999999) / 1000000);
	fmt_fprintf(
		stderr,
		"ptvm: the guest did not power off within %u s of %s: stopped it\n",
		vm->opts->shutdown_timeout, strsignal(vm->shutdown_sig));
	vm->exit_code = EXIT_SIGNAL_BASE + vm->shutdown_sig;
	return 0;
}

/*
 * The stop signals while a guest is being set up (devices opened and
 * reset, RAM mapped for DMA): nothing runs that could shut down, and a
 * setup step that waits on the host (a device slow to come out of its
 * reset) must not make ptvm deaf to them. ptvm ends at once; the kernel
 * releases what the process held (the devices, reset again by VFIO, the
 * DMA mappings with the container, the VM). Once setup is done they are
 * blocked again, and the loop's signalfd takes them over.
 */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPWR };

static void stop_sigs_add(sigset_t *set)
{
	unsigned int i;

	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaddset(set, stop_sigs[i]);
}
/* ---- guest RAM mapped for DMA while the guest boots ---- */

/* The mapper is done: on failure ptvm ends; else the held writes go on. */
static void vm_dma_done(struct vm *vm)
{
	int ret;

	if (vm->dmamap.err) {
		vm->exit_code = vm_dma_fail(vm, vm->dmamap.err);
		return;
	}
	vm->dma_pending = 0;
	vm->stats.t_dma_ready = clock_ns();
	ret = pci_p2p_resume(&vm->p2p);
	if (ret && !vm->p2p_warned) {
		vm->p2p_warned = 1;
		fmt_fprintf(
			stderr,
			"ptvm: the IOMMU refused a BAR's DMA mapping (%s): devices cannot DMA to that BAR; warned once, --stats counts them\n",
			strerror(-ret));
	}
	vm_traps_release(vm);
}

static void on_dma_done(struct vm *vm, void *arg)
{
	(void)arg;
	epoll_ctl(vm->epoll_fd, EPOLL_CTL_DEL, vm->dmamap.done_fd, NULL);
	dmamap_join(&vm->dmamap, 0);
	vm_dma_done(vm);
}

/*
 * Starts the mapper (seccomp is in place: the thread inherits it). A host
 * that cannot start the thread maps here, before the guest runs.
 */
static int vm_dma_start(struct vm *vm)
{
	if (!vm->dma_pending)
		return 0;
	vm->dma_src = (struct vm_source){ .fn = on_dma_done };
	if (dmamap_start(&vm->dmamap))
		dmamap_run(&vm->dmamap);
	else if (loop_add(vm, vm->dmamap.done_fd, &vm->dma_src))
		dmamap_join(&vm->dmamap, 0); /* done before the guest runs */
	else
		return 0;
	vm_dma_done(vm);
	return vm->exit_code >= 0 ? vm->exit_code : 0;
}

/* ---- setup ---- */

static int vm_setup(struct vm *vm)
{
	const struct opts *o = vm->opts;
	unsigned int i;
	sigset_t set;
	int ret;

	vm->kvm_fd = vm->vm_fd = vm->epoll_fd = vm->signal_fd = -1;
	vfio_init(&vm->vfio);
	vm->stdin_src = (struct vm_source){ .fn = on_stdin };
	vm->signal_src = (struct vm_source){ .fn = on_signal };
	vm->kick_src = (struct vm_source){ .fn = vm_traps_kicked };
	vm->mloop.kick_fd = -1;
	vm->exit_code = -1;
	ret = vm_kvm_open(vm);
	if (!ret)
		ret = vm_kvm_tune(vm);
	if (ret)
		return ret;
	vm->ncpus = o->cpus; /* within VM_MAX_CPUS now */

	ret = mem_alloc(&vm->mem, &arch_mem_map, o->mem, o->hugepages);
	if (ret && o->hugepages)
		return fmt_fail(
			"--hugepages: cannot back %llu MiB of guest RAM with 2 MiB pages: %s (reserve them: echo %llu > /proc/sys/vm/nr_hugepages)",
			(unsigned long long)(o->mem >> 20), strerror(-ret),
			(unsigned long long)(o->mem / OPTS_HUGEPAGE));
	if (ret)
		return fmt_fail("--mem %llu MiB: cannot allocate guest RAM: %s",
				(unsigned long long)(o->mem >> 20),
				strerror(-ret));
	if (o->realtime && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		char why[128];

		fmt_snprintf(
			why, sizeof(why),
			"mlockall: %s (raise the memlock limit: ulimit -l unlimited)",
			strerror(errno));
		ret = vm_tune_refused(vm, "--realtime", why);
		if (ret)
			return ret;
	}
	vm->stats.t_kvm = clock_ns();
	ret = mem_kvm_register(&vm->mem, vm->vm_fd);
	if (ret)
		return fmt_fail("guest RAM: KVM_SET_USER_MEMORY_REGION: %s",
				strerror(-ret));
	ret = arch_load(vm);
	if (ret)
		return ret;
	uart_init(&vm->uart, &vm_uart_ops, vm);
	pci_host_init(&vm->pci);
	for (i = 0; i < vm->ncpus; i++) {
		ret = vcpu_create(vm, i);
		if (ret)
			return ret;
	}
	ret = arch_vm_ready(vm);
	if (ret)
		return ret;

	vm->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (vm->epoll_fd < 0)
		return fmt_fail("epoll: %s", strerror(errno));
	ret = vm_devices_open(vm);
	if (ret)
		return ret;
	vm->stats.t_dma = clock_ns();
	sigemptyset(&set);
	stop_sigs_add(&set);
	sigaddset(&set, SIGUSR1);
	vm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->signal_fd < 0 || loop_add(vm, vm->signal_fd, &vm->signal_src))
		return fmt_fail("signalfd: %s", strerror(errno));
	vm->stdin_open = !loop_add(vm, STDIN_FILENO, &vm->stdin_src);
	vm->mloop.kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->mloop.kick_fd < 0 ||
	    loop_add(vm, vm->mloop.kick_fd, &vm->kick_src))
		return fmt_fail("eventfd: %s", strerror(errno));
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	unsigned int i;

	vm->stopping = 1;
	for (i = 0; i < vm->ncpus; i++)
		vcpu_stop(&vm->vcpu[i]);
	/* a mapper still running stops after its chunk; the container goes */
	dmamap_join(&vm->dmamap, 1);
	vm->stats.t_end = clock_ns();
	/* BAR DMA mappings go before the summary, which counts their unmaps. */
	pci_p2p_release_all(&vm->p2p);
	if (vm->exit_code >= 0)
		vm_stats_dump(vm);
	vm_devices_close(vm);
	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].vm)
			vcpu_destroy(&vm->vcpu[i]);
	out_flush(vm);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->mloop.kick_fd >= 0)
		close(vm->mloop.kick_fd);
	if (vm->epoll_fd >= 0)
		close(vm->epoll_fd);
	arch_vm_destroy(vm);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	mem_free(&vm->mem);
}

/* A latency step for vCPU i that returned err: fine, refused, or warned. */
static int vm_tune_vcpu(struct vm *vm, unsigned int i, const char *opt,
			const char *what, int err)
{
	char why[160];

	if (!err)
		return 0;
	fmt_snprintf(why, sizeof(why), "vcpu %u: %s: %s", i, what,
		     strerror(-err));
	return vm_tune_refused(vm, opt, why);
}

static int vm_loop(struct vm *vm)
{
	const struct opts *o = vm->opts;
	struct epoll_event ev[16];
	unsigned int i;
	int n, j;

	n = vm_dma_start(vm);
	if (n)
		return n;
	for (i = 0; i < vm->ncpus; i++) {
		int ret = 0;

		if (vcpu_start(&vm->vcpu[i]))
			return fmt_fail("vcpu %u: cannot start its thread", i);
		if (o->naffinity)
			ret = vm_tune_vcpu(
				vm, i, "--cpu-affinity",
				"cannot pin the thread to that host CPU",
				vcpu_pin(&vm->vcpu[i], o->affinity[i]));
		if (!ret && o->realtime)
			ret = vm_tune_vcpu(vm, i, "--realtime", "SCHED_FIFO",
					   vcpu_realtime(&vm->vcpu[i]));
		if (ret)
			return ret;
	}
	while (vm->exit_code < 0) {
		/* the deadline is checked even while traps keep coming */
		int ms = vm_deadline_ms(vm);
		int busy = vm_traps_serve(vm);
		/* after the traps: one of them may have parked a BAR */
		int pms = vm_p2p_flush_ms(vm), ams = arch_poll_ms(vm);
		int timeout;

		if (pms >= 0 && (ms < 0 || pms < ms))
			ms = pms;
		if (ams >= 0 && (ms < 0 || ams < ms))
			ms = ams;
		timeout = busy ? 0 : ms;

		if (vm->exit_code >= 0)
			break;
		out_flush(vm);
		/* Asleep from here: a vCPU that posts now kicks the eventfd. */
		mbox_loop_sleep(&vm->mloop);
		if (vm_traps_pending(vm))
			timeout = 0;
		n = epoll_wait(vm->epoll_fd, ev, 16, timeout);
		mbox_loop_wake(&vm->mloop);
		if (n < 0 && errno != EINTR)
			return fmt_fail("epoll_wait: %s", strerror(errno));
		for (j = 0; j < n; j++) {
			struct vm_source *s = ev[j].data.ptr;

			s->fn(vm, s->arg);
		}
	}
	return vm->exit_code;
}

static void on_kick(int sig)
{
	(void)sig; /* only interrupts KVM_RUN or a mailbox wait */
}

static struct termios *setup_tty;

static void on_setup_signal(int sig)
{
	if (setup_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, setup_tty);
	_exit(EXIT_SIGNAL_BASE + sig);
}

/* how: SIG_UNBLOCK during setup, SIG_BLOCK before the loop starts. */
static void stop_sigs_mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	stop_sigs_add(&set);
	pthread_sigmask(how, &set, NULL);
}

int main(int argc, char *argv[])
{
	struct termios saved, raw;
	struct sigaction sa = { .sa_handler = on_kick },
			 stop = { .sa_handler = on_setup_signal };
	unsigned int i;
	uint64_t t_start = clock_ns();
	int tty, rc, sandboxed = 0;
	FILE *json = NULL;
	struct opts o;
	sigset_t set;

	if (argc > 1 && !strcmp(argv[1], "probe"))
		return probe_main(argc - 1, argv + 1);
	if (argc > 1 &&
	    (!strcmp(argv[1], "bind") || !strcmp(argv[1], "unbind")))
		return bind_main(argc - 1, argv + 1);
	if (opts_parse(&o, argc - 1, argv + 1)) {
		fmt_fprintf(stderr, "ptvm: %s\n", o.err);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(arch_usage, stdout);
		fputs(opts_usage, stdout);
		return 0;
	}
	if (o.version) {
		puts("ptvm " PTVM_VERSION);
		return 0;
	}
	if (o.stats_json) {
		json = fopen(o.stats_json, "w");
		if (!json)
			return fmt_fail(
				"--stats=json:%s: cannot write it: %s (give a writable path)",
				o.stats_json, strerror(errno));
	}

	/* Signals reach the loop through a signalfd; the kick only vCPUs. */
	sigaction(vcpu_signal(), &sa, NULL);
	for (i = 0; i < sizeof(stop_sigs) / sizeof(stop_sigs[0]); i++)
		sigaction(stop_sigs[i], &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	stop_sigs_add(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, vcpu_signal());
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* A terminal passes keys to the guest as typed; ^C still stops ptvm. */
	tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (tty) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		setup_tty = &saved;
	}
	do {
		struct vm *vm = calloc(1, sizeof(*vm));

		if (!vm) {
			rc = fmt_fail("out of memory");
			break;
		}
		vm->opts = &o;
		vm->stats.t_start = t_start;
		vm->stats_json = json;
		stop_sigs_mask(SIG_UNBLOCK);
		rc = vm_setup(vm);
		stop_sigs_mask(SIG_BLOCK);
		if (!rc && !o.no_seccomp && !sandboxed) {
			/* Once: a restarted guest's setup runs under it too. */
			struct seccomp_policy pol = { .setup_again = o.reboot };
			int ret = seccomp_install(&pol);

			if (ret)
				rc = fmt_fail(
					"seccomp: cannot install the filter: %s (--no-seccomp runs without it)",
					strerror(-ret));
			sandboxed = !ret;
		}
		if (!rc)
			rc = vm_loop(vm);
		/* A guest asked to shut down that reboots instead is not restarted. */
		if (rc == EXIT_REBOOT && vm->shutdown_sig)
			rc = EXIT_SIGNAL_BASE + vm->shutdown_sig;
		vm_teardown(vm);
		free(vm);
	} while (rc == EXIT_REBOOT && o.reboot);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (json)
		fclose(json);
	return rc;
}
