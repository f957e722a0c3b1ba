/* SPDX-License-Identifier: MIT */
/*
 * The command line, parsed into struct opts. Pure: errors come back as
 * -errno with a message in opts->err naming the option and the fix.
 */
#ifndef PTVM_OPTS_H
#define PTVM_OPTS_H

#include <stdint.h>

#define OPTS_MAX_DEVICES 16
#define OPTS_MAX_CPUS 64
#define OPTS_ERR_LEN 256

/* Exit codes, documented in --help and README.md. */
#define EXIT_POWEROFF 0
#define EXIT_ERROR 1 /* setup failed: bad kernel, device, host */
#define EXIT_USAGE 2 /* bad command line */
#define EXIT_REBOOT 3 /* guest rebooted and --reboot was not given */
#define EXIT_CRASH 4 /* fatal vCPU exit: internal error, failed entry */
#define EXIT_DEVICE 5 /* a device failed (AER) or the host took it back */
#define EXIT_SIGNAL_BASE \
	128 /* 128 + signal number: SIGINT, SIGTERM, SIGHUP, SIGPWR */

struct pci_bdf {
	unsigned int domain, bus, slot, fn;
};

struct opts {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	uint64_t mem; /* bytes */
	unsigned int cpus;
	int reboot;
	int stats; /* --stats: a summary on exit and on SIGUSR1 */
	const char *stats_json; /* --stats=json[:PATH]: the same as JSON */
	int no_seccomp;
	/* the latency mode */
	unsigned int naffinity; /* --cpu-affinity: host CPU of vCPU i */
	unsigned int affinity[OPTS_MAX_CPUS];
	int realtime, hugepages, best_effort;
	unsigned int disable_exits; /* KVM_X86_DISABLE_EXITS_* */
	long long halt_poll_ns; /* --halt-poll; -1: KVM's default */
	/* --dma-map before: guest RAM mapped before the guest starts */
	int dma_before;
	int prefault_threads; /* --prefault-threads; -1: mem_prefault_auto */
	/* --shutdown-timeout: seconds the guest has after SIGTERM; 0: none */
	unsigned int shutdown_timeout;
	int help, version;
	unsigned int ndevices;
	struct pci_bdf device[OPTS_MAX_DEVICES];
	/* --device BDF,vf-token=UUID: a VF whose PF is on vfio-pci; or NULL */
	const char *vf_token[OPTS_MAX_DEVICES];
	char err[OPTS_ERR_LEN];
};

#define OPTS_DEFAULT_MEM (512ULL << 20)
#define OPTS_DEFAULT_CMDLINE "console=ttyS0 panic=-1"
#define OPTS_MIN_MEM (16ULL << 20)
#define OPTS_DEFAULT_STATS_JSON "ptvm-stats.json"
#define OPTS_HUGEPAGE (2ULL << 20)
#define OPTS_DEFAULT_SHUTDOWN_TIMEOUT \
	30 /* what a service manager usually gives */
#define OPTS_MAX_SHUTDOWN_TIMEOUT 86400

/* "512M", "2G", "1024" (MiB), "4096K"; 0 or -EINVAL / -ERANGE. */
int opts_parse_size(const char *s, uint64_t *bytes);
/* "0000:00:04.0" or "00:04.0"; 0 or -EINVAL. */
int opts_parse_bdf(const char *s, struct pci_bdf *bdf);
/* "0,2-3": CPU numbers, each < max, into cpu[]; their count or -EINVAL. */
int opts_parse_cpulist(const char *s, unsigned int *cpu, unsigned int max_n,
		       unsigned int max);
/* "hlt,pause,mwait,cstate" or "all": KVM_X86_DISABLE_EXITS_* or -EINVAL. */
int opts_parse_exits(const char *s, unsigned int *bits);
/* ptvm --help */
extern const char opts_usage[];
/* argv after the program name. 0 or -EINVAL with o->err set. */
int opts_parse(struct opts *o, int argc, char *const argv[]);

#endif
