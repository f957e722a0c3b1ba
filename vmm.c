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
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "boot/acpi.h"
#include "boot/boot.h"
#include "boot/layout.h"
#include "irq/kvm.h"
#include "vfio/probe.h"
#include "vmm.h"

#define PTVM_VERSION "0.1"

static const char usage[] =
	"usage: ptvm --kernel BZIMAGE [options]\n"
	"       ptvm probe BDF [--json]\n"
	"       ptvm bind [--force] BDF...\n"
	"       ptvm unbind BDF...\n"
	"\n"
	"Boots a Linux guest on KVM with an in-kernel irqchip, a 16550 UART on\n"
	"COM1 wired to stdin/stdout, and a PCI host bridge (ports 0xcf8/0xcfc and\n"
	"ECAM) with the --device functions on it, described to the guest by ACPI.\n"
	"\n"
	"options:\n"
	"  --kernel PATH     Linux bzImage (boot protocol 2.12 or later)\n"
	"  --initrd PATH     initial ramdisk\n"
	"  --cmdline STR     kernel command line (default \"" OPTS_DEFAULT_CMDLINE
	"\")\n"
	"  --mem SIZE        guest RAM, e.g. 512M or 4G (default 512M); RAM above\n"
	"                    3G is placed above 4 GiB\n"
	"  --cpus N          vCPUs (default 1)\n"
	"  --device BDF      pass the host PCI device BDF (e.g. 0000:01:00.0, bound to\n"
	"                    vfio-pci) through to the guest; repeat for more, up to 16;\n"
	"                    they appear on the guest's bus 0 at slots 1, 2, ... in order\n"
	"  --reboot          restart the guest when it reboots instead of exiting\n"
	"  --stats           print exit and trap counts when ptvm ends (SIGUSR1 prints\n"
	"                    them at any time)\n"
	"  -h, --help        this text\n"
	"  --version         print the version\n"
	"\n"
	"subcommands:\n"
	"  probe BDF         report whether host device BDF can be passed through:\n"
	"                    ids, driver, IOMMU group and its members, BARs, the\n"
	"                    capabilities and what ptvm does with each, interrupt\n"
	"                    modes, reset method, and a verdict (exit 0: ready, 1: not\n"
	"                    yet, with what to do first). Reads sysfs only: the device\n"
	"                    is not touched. --json prints the same as JSON\n"
	"  bind BDF...       move devices to vfio-pci, remembering their driver in\n"
	"                    /run/ptvm; refuses a device with a mounted disk or an\n"
	"                    interface that is up, unless --force\n"
	"  unbind BDF...     give devices back to the driver they had\n"
	"\n"
	"exit codes:\n"
	"  0    the guest powered off\n"
	"  1    setup failed (kernel, initrd, memory, /dev/kvm, a device); one line on\n"
	"       stderr says why\n"
	"  2    bad command line\n"
	"  3    the guest rebooted (i8042 or 0xcf9 reset, triple fault) without --reboot\n"
	"  4    a vCPU stopped on a fatal KVM exit; its registers are printed\n"
	"  128+N  ended by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129)\n";

static int fail(const char *fmt, ...)
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

static void on_signal(struct vm *vm, void *arg)
{
	struct signalfd_siginfo si;

	(void)arg;
	if (read(vm->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGUSR1) {
		io_stats_print(vm, stderr);
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

static int kvm_open(struct vm *vm)
{
	const struct opts *o = vm->opts;
	int max, nent = 128;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		if (errno == ENOENT)
			return fail(
				"/dev/kvm: not found (load kvm_intel or kvm_amd, or enable virtualization)");
		if (errno == EACCES || errno == EPERM)
			return fail(
				"/dev/kvm: permission denied (run as root or join the kvm group)");
		return fail("/dev/kvm: %s", strerror(errno));
	}
	if (ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return fail("/dev/kvm: unsupported KVM API version");
	max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (max > VM_MAX_CPUS)
		max = VM_MAX_CPUS;
	if (o->cpus > (unsigned int)max)
		return fail(
			"--cpus %u: at most %d vCPUs here (KVM's and ptvm's limit); use --cpus %d or fewer",
			o->cpus, max, max);
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fail("/dev/kvm: cannot create a VM: %s",
			    strerror(errno));
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		return fail("/dev/kvm: KVM_GET_VCPU_MMAP_SIZE: %s",
			    strerror(errno));
	/* Intel needs these two pages somewhere the guest does not use. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL) < 0 ||
	    ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("/dev/kvm: in-kernel irqchip: %s", strerror(errno));
	{
		uint64_t idmap = 0xfffbc000;
		struct kvm_pit_config pit = { .flags = 0 };

		ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap);
		if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
			return fail("/dev/kvm: in-kernel PIT: %s",
				    strerror(errno));
	}
	irq_routes_init(&vm->routes);
	if (irq_kvm_commit(vm->vm_fd, &vm->routes))
		return fail("/dev/kvm: GSI routing: %s", strerror(errno));
	for (;;) {
		vm->cpuid =
			calloc(1, sizeof(*vm->cpuid) +
					  nent * sizeof(vm->cpuid->entries[0]));
		if (!vm->cpuid)
			return fail("out of memory");
		vm->cpuid->nent = nent;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, vm->cpuid))
			break;
		free(vm->cpuid);
		vm->cpuid = NULL;
		if (errno != E2BIG || nent > 4096)
			return fail("/dev/kvm: KVM_GET_SUPPORTED_CPUID: %s",
				    strerror(errno));
		nent *= 2;
	}
	return 0;
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
		return fail("%s: cannot read kernel: %s", o->kernel,
			    strerror(-ret));
	ret = bzimage_parse(img, len, &bz);
	if (ret == -ENOEXEC) {
		fail("%s: not a Linux bzImage (give --kernel a bzImage such as /boot/vmlinuz-*)",
		     o->kernel);
		goto out;
	}
	if (ret) {
		fail("%s: boot protocol %x.%02x too old or no 64-bit entry (need 2.12 or later)",
		     o->kernel, bz.hdr->version >> 8, bz.hdr->version & 0xff);
		goto out;
	}
	dst = mem_gpa(&vm->mem, bz.load_addr, bz.init_size);
	if (!dst) {
		fail("--mem %llu MiB is too small for %s (it needs %llu MiB from %llu MiB up)",
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
			fail("%s: cannot read initrd: %s", o->initrd,
			     fd < 0 ? strerror(errno) : "not a regular file");
			if (fd >= 0)
				close(fd);
			goto out;
		}
		args.initrd_size = (uint64_t)st.st_size;
		if (boot_initrd_addr(&bz, &vm->mem, args.initrd_size,
				     &args.initrd_addr)) {
			fail("%s: initrd of %llu MiB does not fit in guest RAM below %llu MiB with the kernel (raise --mem)",
			     o->initrd,
			     (unsigned long long)(args.initrd_size >> 20),
			     (unsigned long long)(vm->mem.range[0].size >> 20));
			close(fd);
			goto out;
		}
		dst = mem_gpa(&vm->mem, args.initrd_addr, args.initrd_size);
		for (len = 0; len < args.initrd_size;) {
			ssize_t n = read(fd, dst + len, args.initrd_size - len);

			if (n <= 0) {
				fail("%s: read failed: %s", o->initrd,
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
		fail("--cmdline: %zu bytes, the kernel takes at most %u",
		     args.cmdline_len, bz.hdr->cmdline_size);
		goto out;
	}
	memcpy(mem_gpa(&vm->mem, LAYOUT_CMDLINE, args.cmdline_len + 1),
	       o->cmdline, args.cmdline_len + 1);

	alen = acpi_build(mem_gpa(&vm->mem, LAYOUT_ACPI, LAYOUT_ACPI_SIZE),
			  LAYOUT_ACPI_SIZE, LAYOUT_ACPI, &acpi);
	if (alen < 0) {
		fail("ACPI tables do not fit (%s)", strerror((int)-alen));
		goto out;
	}
	if (boot_page_tables(&vm->mem)) {
		fail("--mem too small for the boot page tables");
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
	ret = kvm_open(vm);
	if (ret)
		return ret;
	vm->ncpus = o->cpus; /* within VM_MAX_CPUS now */

	ret = mem_alloc(&vm->mem, o->mem, 0);
	if (ret)
		return fail("--mem %llu MiB: cannot allocate guest RAM: %s",
			    (unsigned long long)(o->mem >> 20), strerror(-ret));
	ret = mem_kvm_register(&vm->mem, vm->vm_fd);
	if (ret)
		return fail("guest RAM: KVM_SET_USER_MEMORY_REGION: %s",
			    strerror(-ret));
	ret = vm_load(vm, &entry);
	if (ret)
		return ret;

	uart_init(&vm->uart, &vm_uart_ops, vm);
	pci_host_init(&vm->pci);

	vm->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (vm->epoll_fd < 0)
		return fail("epoll: %s", strerror(errno));
	ret = vm_devices_open(vm);
	if (ret)
		return ret;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	vm->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm->signal_fd < 0 || loop_add(vm, vm->signal_fd, &vm->signal_src))
		return fail("signalfd: %s", strerror(errno));
	vm->stdin_open = !loop_add(vm, STDIN_FILENO, &vm->stdin_src);

	for (i = 0; i < vm->ncpus; i++) {
		struct vcpu *v = &vm->vcpu[i];

		ret = vcpu_create(vm, i, entry, LAYOUT_ZERO_PAGE);
		if (ret)
			return fail("vcpu %u: %s", i, strerror(-ret));
		v->src = (struct vm_source){ .fn = on_vcpu, .arg = v };
		if (loop_add(vm, v->req_fd, &v->src))
			return fail("epoll: %s", strerror(errno));
	}
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	unsigned int i;

	vm->stopping = 1;
	for (i = 0; i < vm->ncpus; i++)
		vcpu_stop(&vm->vcpu[i]);
	if (vm->opts->stats && vm->exit_code >= 0)
		io_stats_print(vm, stderr);
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

static int vm_loop(struct vm *vm)
{
	struct epoll_event ev[16];
	unsigned int i;
	int n, j;

	for (i = 0; i < vm->ncpus; i++)
		if (vcpu_start(&vm->vcpu[i]))
			return fail("vcpu %u: cannot start its thread", i);
	while (vm->exit_code < 0) {
		out_flush(vm);
		n = epoll_wait(vm->epoll_fd, ev, 16, -1);
		if (n < 0 && errno != EINTR)
			return fail("epoll_wait: %s", strerror(errno));
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
	int tty, rc;
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
		fputs(usage, stdout);
		return 0;
	}
	if (o.version) {
		puts("ptvm " PTVM_VERSION);
		return 0;
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
			rc = fail("out of memory");
			break;
		}
		vm->opts = &o;
		rc = vm_setup(vm);
		if (!rc)
			rc = vm_loop(vm);
		vm_teardown(vm);
		free(vm);
	} while (rc == EXIT_REBOOT && o.reboot);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return rc;
}
