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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/boot.h"
#include "boot/layout.h"
#include "irq/kvm.h"
#include "seccomp.h"
#include "vfio/probe.h"
#include "vmm.h"

#define PTVM_VERSION "0.1"

int vm_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ptvm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERROR;
}

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
	struct vm *vm = opaque;

	irq_kvm_line(vm->vm_fd, UART_COM1_IRQ, level);
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

static void on_vcpu(struct vm *vm, void *arg)
{
	struct vcpu *v = arg;
	uint64_t cnt, one = 1;

	if (read(v->req_fd, &cnt, sizeof(cnt)) != sizeof(cnt))
		return;
	switch (v->trap.kind) {
	case TRAP_PIO:
		io_pio(vm, &v->trap);
		break;
	case TRAP_MMIO:
		io_mmio(vm, &v->trap);
		break;
	case TRAP_EXIT:
		if (vm->exit_code < 0)
			vm->exit_code = v->trap.exit_code;
		break;
	}
	if (write(v->ack_fd, &one, sizeof(one)) != sizeof(one))
		vm->exit_code = EXIT_ERROR;
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

static void on_signal(struct vm *vm, void *arg)
{
	struct signalfd_siginfo si;

	(void)arg;
	if (read(vm->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR1) {
		vm_stats_dump(vm);
		return;
	}
	vm->exit_code = EXIT_SIGNAL_BASE + (int)si.ssi_signo;
}

/* ---- setup ---- */

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	*len = (size_t)st.st_size;
	*buf = malloc(*len ? *len : 1);
	if (!*buf) {
		ret = -ENOMEM;
		goto out;
	}
	n = read(fd, *buf,
		 *len); /* regular file: one read suffices up to 2 GiB */
	if (n < 0 || (size_t)n != *len) {
		ret = n < 0 ? -errno : -EIO;
		free(*buf);
	}
out:
	close(fd);
	return ret;
}

/* Loads kernel, initrd, command line, ACPI tables, zero page. */
static int vm_load(struct vm *vm, uint64_t *entry)
{
	const struct opts *o = vm->opts;
	struct boot_args args = { .cmdline_addr = LAYOUT_CMDLINE,
				  .rsdp_addr = LAYOUT_ACPI };
	struct acpi_config acpi = {
		.ncpus = vm->ncpus,
		.ecam_base = LAYOUT_ECAM_BASE,
		.mmio32_base = LAYOUT_MMIO32_BASE,
		.mmio32_size = LAYOUT_MMIO32_SIZE,
		.mmio64_base = mem_top_aligned(&vm->mem),
		.mmio64_size = LAYOUT_MMIO64_SIZE,
		.pio_base = LAYOUT_PIO_PCI_BASE,
		.pio_size = LAYOUT_PIO_PCI_SIZE,
		.nslots = o->ndevices,
	};
	struct bzimage bz;
	uint8_t *img = NULL, *dst;
	size_t len = 0;
	ssize_t alen;
	int ret, rc = EXIT_ERROR;

	ret = read_file(o->kernel, &img, &len);
	if (ret)
		return vm_fail("%s: cannot read kernel: %s", o->kernel,
			       strerror(-ret));
	ret = bzimage_parse(img, len, &bz);
	if (ret == -ENOEXEC) {
		vm_fail("%s: not a Linux bzImage (give --kernel a bzImage such as /boot/vmlinuz-*)",
			o->kernel);
		goto out;
	}
	if (ret) {
		vm_fail("%s: boot protocol %x.%02x too old or no 64-bit entry (need 2.12 or later)",
			o->kernel, bz.hdr->version >> 8,
			bz.hdr->version & 0xff);
		goto out;
	}
	dst = mem_gpa(&vm->mem, bz.load_addr, bz.init_size);
	if (!dst) {
		vm_fail("--mem %llu MiB is too small for %s (it needs %llu MiB from %llu MiB up)",
			(unsigned long long)(vm->mem.size >> 20), o->kernel,
			(unsigned long long)(bz.init_size >> 20) + 1,
			(unsigned long long)(bz.load_addr >> 20));
		goto out;
	}
	memcpy(dst, bz.kernel, bz.kernel_len);
	*entry = bz.load_addr + 0x200; /* startup_64 */

	if (o->initrd) {
		struct stat st;
		int fd = open(o->initrd, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			vm_fail("%s: cannot read initrd: %s", o->initrd,
				fd < 0 ? strerror(errno)
				       : "not a regular file");
			if (fd >= 0)
				close(fd);
			goto out;
		}
		args.initrd_size = (uint64_t)st.st_size;
		if (boot_initrd_addr(&bz, &vm->mem, args.initrd_size,
				     &args.initrd_addr)) {
			vm_fail("%s: initrd of %llu MiB does not fit in guest RAM below %llu MiB with the kernel (raise --mem)",
				o->initrd,
				(unsigned long long)(args.initrd_size >> 20),
				(unsigned long long)(vm->mem.range[0].size >>
						     20));
			close(fd);
			goto out;
		}
		dst = mem_gpa(&vm->mem, args.initrd_addr, args.initrd_size);
		for (len = 0; len < args.initrd_size;) {
			ssize_t n = read(fd, dst + len, args.initrd_size - len);

			if (n <= 0) {
				vm_fail("%s: read failed: %s", o->initrd,
					n ? strerror(errno) : "file shrank");
				close(fd);
				goto out;
			}
			len += (size_t)n;
		}
		close(fd);
	}

	args.cmdline_len = strlen(o->cmdline);
	if (args.cmdline_len >= LAYOUT_CMDLINE_MAX ||
	    args.cmdline_len >= bz.hdr->cmdline_size) {
		vm_fail("--cmdline: %zu bytes, the kernel takes at most %u",
			args.cmdline_len, bz.hdr->cmdline_size);
		goto out;
	}
	memcpy(mem_gpa(&vm->mem, LAYOUT_CMDLINE, args.cmdline_len + 1),
	       o->cmdline, args.cmdline_len + 1);

	alen = acpi_build(mem_gpa(&vm->mem, LAYOUT_ACPI, LAYOUT_ACPI_SIZE),
			  LAYOUT_ACPI_SIZE, LAYOUT_ACPI, &acpi);
	if (alen < 0) {
		vm_fail("ACPI tables do not fit (%s)", strerror((int)-alen));
		goto out;
	}
	if (boot_page_tables(&vm->mem)) {
		vm_fail("--mem too small for the boot page tables");
		goto out;
	}
	boot_zero_page(mem_gpa(&vm->mem, LAYOUT_ZERO_PAGE,
			       sizeof(struct boot_params)),
		       &bz, &vm->mem, &args);
	rc = 0;
out:
	free(img);
	return rc;
}

static int vm_setup(struct vm *vm)
{
	const struct opts *o = vm->opts;
	uint64_t entry = 0;
	unsigned int i;
	sigset_t set;
	int ret;

	vm->kvm_fd = vm->vm_fd = vm->epoll_fd = vm->signal_fd = -1;
	vfio_init(&vm->vfio);
	vm->stdin_src = (struct vm_source){ .fn = on_stdin };
	vm->signal_src = (struct vm_source){ .fn = on_signal };
	vm->exit_code = -1;
	ret = vm_kvm_open(vm);
	if (!ret)
		ret = vm_kvm_tune(vm);
	if (ret)
		return ret;
	vm->ncpus = o->cpus; /* within VM_MAX_CPUS now */

	ret = mem_alloc(&vm->mem, o->mem, o->hugepages);
	if (ret && o->hugepages)
		return vm_fail(
			"--hugepages: cannot back %llu MiB of guest RAM with 2 MiB pages: %s (reserve them: echo %llu > /proc/sys/vm/nr_hugepages)",
			(unsigned long long)(o->mem >> 20), strerror(-ret),
			(unsigned long long)(o->mem / OPTS_HUGEPAGE));
	if (ret)
		return vm_fail("--mem %llu MiB: cannot allocate guest RAM: %s",
			       (unsigned long long)(o->mem >> 20),
			       strerror(-ret));
	if (o->realtime && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		char why[128];

		snprintf(
			why, sizeof(why),
			"mlockall: %s (raise the memlock limit: ulimit -l unlimited)",
			strerror(errno));
		ret = vm_tune_refused(vm, "--realtime", why);
		if (ret)
			return ret;
	}
	vm->stats.t_kvm = vm_now_ns();
	ret = mem_kvm_register(&vm->mem, vm->vm_fd);
	if (ret)
		return vm_fail("guest RAM: KVM_SET_USER_MEMORY_REGION: %s",
			       strerror(-ret));
	ret = vm_load(vm, &entry);
	if (ret)
		return ret;

	uart_init(&vm->uart, &vm_uart_ops, vm);
	pci_host_init(&vm->pci);

	vm->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (vm->epoll_fd < 0)
		return vm_fail("epoll: %s", strerror(errno));
	ret = vm_devices_open(vm);
	if (ret)
		return ret;
	vm->stats.t_dma = vm_now_ns();
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	vm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->signal_fd < 0 || loop_add(vm, vm->signal_fd, &vm->signal_src))
		return vm_fail("signalfd: %s", strerror(errno));
	vm->stdin_open = !loop_add(vm, STDIN_FILENO, &vm->stdin_src);

	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpu[i];

		ret = vcpu_create(vm, i, entry, LAYOUT_ZERO_PAGE);
		if (ret)
			return vm_fail("vcpu %u: %s", i, strerror(-ret));
		v->src = (struct vm_source){ .fn = on_vcpu, .arg = v };
		if (loop_add(vm, v->req_fd, &v->src))
			return vm_fail("epoll: %s", strerror(errno));
	}
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	unsigned int i;

	vm->stopping = 1;
	for (i = 0; i < vm->ncpus; i++)
		vcpu_stop(&vm->vcpu[i]);
	vm->stats.t_end = vm_now_ns();
	if (vm->exit_code >= 0)
		vm_stats_dump(vm);
	vm_devices_close(vm);
	for (i = 0; i < vm->ncpus; i++)
		if (vm->vcpu[i].vm)
			vcpu_destroy(&vm->vcpu[i]);
	out_flush(vm);
	if (vm->signal_fd >= 0)
		close(vm->signal_fd);
	if (vm->epoll_fd >= 0)
		close(vm->epoll_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	mem_free(&vm->mem);
	free(vm->cpuid);
}

/* A latency step for vCPU i that returned err: fine, refused, or warned. */
static int vm_tune_vcpu(struct vm *vm, unsigned int i, const char *opt,
			const char *what, int err)
{
	char why[160];

	if (!err)
		return 0;
	snprintf(why, sizeof(why), "vcpu %u: %s: %s", i, what, strerror(-err));
	return vm_tune_refused(vm, opt, why);
}

static int vm_loop(struct vm *vm)
{
	const struct opts *o = vm->opts;
	struct epoll_event ev[16];
	unsigned int i;
	int n, j;

	for (i = 0; i < vm->ncpus; i++) {
		int ret = 0;

		if (vcpu_start(&vm->vcpu[i]))
			return vm_fail("vcpu %u: cannot start its thread", i);
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
		out_flush(vm);
		n = epoll_wait(vm->epoll_fd, ev, 16, -1);
		if (n < 0 && errno != EINTR)
			return vm_fail("epoll_wait: %s", strerror(errno));
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

int main(int argc, char *argv[])
{
	struct termios saved, raw;
	struct sigaction sa = { .sa_handler = on_kick };
	uint64_t t_start = vm_now_ns();
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
		fprintf(stderr, "ptvm: %s\n", o.err);
		return EXIT_USAGE;
	}
	if (o.help) {
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
			return vm_fail(
				"--stats=json:%s: cannot write it: %s (give a writable path)",
				o.stats_json, strerror(errno));
	}

	/* Signals reach the loop through a signalfd; the kick only vCPUs. */
	sigaction(vcpu_signal(), &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, vcpu_signal());
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	/* A terminal passes keys to the guest as typed; ^C still stops ptvm. */
	tty = isatty(STDIN_FILENO) && !tcgetattr(STDIN_FILENO, &saved);
	if (tty) {
		raw = saved;
		raw.c_lflag &= ~(ICANON | ECHO);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	do {
		struct vm *vm = calloc(1, sizeof(*vm));

		if (!vm) {
			rc = vm_fail("out of memory");
			break;
		}
		vm->opts = &o;
		vm->stats.t_start = t_start;
		vm->stats_json = json;
		rc = vm_setup(vm);
		if (!rc && !o.no_seccomp && !sandboxed) {
			/* Once: a restarted guest's setup runs under it too. */
			struct seccomp_policy pol = { .setup_again = o.reboot };
			int ret = seccomp_install(&pol);

			if (ret)
				rc = vm_fail(
					"seccomp: cannot install the filter: %s (--no-seccomp runs without it)",
					strerror(-ret));
			sandboxed = !ret;
		}
		if (!rc)
			rc = vm_loop(vm);
		vm_teardown(vm);
		free(vm);
	} while (rc == EXIT_REBOOT && o.reboot);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	if (json)
		fclose(json);
	return rc;
}
