/* SPDX-License-Identifier: MIT */
/*
 * --stats: what the counters say, as text lines on stderr or as one JSON
 * object. The counters are plain increments on paths that already cost a
 * VM exit, so they stay on whether or not anyone asks for them.
 */
#include <stdio.h>
#include <time.h>

#include <linux/vfio.h>

#include "vfio/pci.h"
#include "vmm.h"

static const struct {
	unsigned int reason;
	const char *name;
} exit_names[] = {
	{ KVM_EXIT_IO, "io" },
	{ KVM_EXIT_MMIO, "mmio" },
	{ KVM_EXIT_HLT, "hlt" },
	{ KVM_EXIT_SHUTDOWN, "shutdown" },
	{ KVM_EXIT_INTR, "intr" },
	{ KVM_EXIT_FAIL_ENTRY, "fail_entry" },
	{ KVM_EXIT_INTERNAL_ERROR, "internal_error" },
	{ KVM_EXIT_SYSTEM_EVENT, "system_event" },
};

#define NEXITS (sizeof(exit_names) / sizeof(exit_names[0]))

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static unsigned long long exits_of(const struct vm *vm, unsigned int reason)
{
	unsigned long long n = 0;
	unsigned int c;

	for (c = 0; c < vm->ncpus; c++)
		n += vm->vcpu[c].exits[reason];
	return n;
}

/* Milliseconds from process start to t, or -1 if t has not happened. */
static double ms_since_start(const struct vm *vm, uint64_t t)
{
	return t ? (double)(t - vm->stats.t_start) / 1e6 : -1.0;
}

/* The timeline: when each stage of start-up ended, and the guest's run. */
struct timeline {
	double kvm, dma, entry, run;
};

static struct timeline timeline_of(const struct vm *vm)
{
	const struct vm_stats *s = &vm->stats;
	uint64_t entry = vm->vcpu[0].entry_ns, end = s->t_end;
	struct timeline t = {
		.kvm = ms_since_start(vm, s->t_kvm),
		.dma = ms_since_start(vm, s->t_dma),
		.entry = ms_since_start(vm, entry),
		.run = -1.0,
	};

	if (!end)
		end = vm_now_ns();
	if (entry)
		t.run = (double)(end - entry) / 1e6;
	return t;
}

static void ptdev_print(const struct ptdev *pt, FILE *f)
{
	const struct ptdev_stats *st = &pt->stats;
	const struct pci_vdev_stats *s = &pt->vdev.stats;
	unsigned int i, k;

	fprintf(f,
		"ptvm: stats: %s: traps: config %llu, msix-table %llu, msix-pba %llu",
		pt->dev.name, (unsigned long long)st->cfg,
		(unsigned long long)st->msix_table,
		(unsigned long long)st->msix_pba);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		if (st->bar[i])
			fprintf(f, ", bar%u %llu", i,
				(unsigned long long)st->bar[i]);
	fprintf(f, "\nptvm: stats: %s: routes changed %llu;", pt->dev.name,
		(unsigned long long)st->route_changes);
	for (k = 0; k < 2; k++)
		for (i = 0; i < PTDEV_STATS_VECS; i++)
			if (st->vec_routes[k][i])
				fprintf(f, " %s%u:%llu", k ? "msix" : "msi", i,
					(unsigned long long)
						st->vec_routes[k][i]);
	fprintf(f,
		"\nptvm: stats: %s: ignored: bad config %llu, read-only writes %llu, bad bar %llu, msix bad %llu; op errors %llu\n",
		pt->dev.name, (unsigned long long)s->bad_cfg,
		(unsigned long long)s->ro_writes,
		(unsigned long long)s->bad_bar,
		(unsigned long long)pt->vdev.msix.stats.bad_access,
		(unsigned long long)(s->op_errors +
				     pt->vdev.msix.stats.op_errors +
				     pt->vdev.msi.op_errors));
}

void stats_print(const struct vm *vm, FILE *f)
{
	const struct vm_stats *s = &vm->stats;
	struct timeline t = timeline_of(vm);
	unsigned int i;

	fprintf(f, "ptvm: stats: vm exits:");
	for (i = 0; i < NEXITS; i++)
		fprintf(f, " %s %llu", exit_names[i].name,
			exits_of(vm, exit_names[i].reason));
	fprintf(f,
		"\nptvm: stats: pio: uart %llu, pci-config %llu, acpi %llu, devices %llu, unhandled %llu\n",
		(unsigned long long)s->pio_uart,
		(unsigned long long)s->pio_pci_cfg,
		(unsigned long long)s->pio_acpi, (unsigned long long)s->pio_dev,
		(unsigned long long)s->pio_unhandled);
	fprintf(f,
		"ptvm: stats: config reads of absent functions: bus 0 %llu, other buses %llu\n",
		(unsigned long long)vm->pci.absent_reads,
		(unsigned long long)vm->pci.other_bus_reads);
	fprintf(f,
		"ptvm: stats: mmio: ecam %llu, devices %llu, unhandled %llu\n",
		(unsigned long long)s->mmio_ecam,
		(unsigned long long)s->mmio_dev,
		(unsigned long long)s->mmio_unhandled);
	fprintf(f,
		"ptvm: stats: timeline (ms from process start): kvm ready %.1f, devices and DMA %.1f, first vcpu entry %.1f; guest ran %.1f ms\n",
		t.kvm, t.dma, t.entry, t.run);
	for (i = 0; i < vm->ndevs; i++)
		ptdev_print(vm->dev[i], f);
}

static void ptdev_json(const struct ptdev *pt, FILE *f)
{
	const struct ptdev_stats *st = &pt->stats;
	const struct pci_vdev_stats *s = &pt->vdev.stats;
	const char *sep = "";
	unsigned int i, k;

	fprintf(f,
		"{\"bdf\":\"%s\",\"traps\":{\"config\":%llu,\"msix_table\":%llu,\"msix_pba\":%llu,\"bar\":[",
		pt->dev.name, (unsigned long long)st->cfg,
		(unsigned long long)st->msix_table,
		(unsigned long long)st->msix_pba);
	for (i = 0; i < PCI_STD_NUM_BARS; i++)
		fprintf(f, "%s%llu", i ? "," : "",
			(unsigned long long)st->bar[i]);
	fprintf(f, "]},\"route_changes\":%llu,\"vector_routes\":{",
		(unsigned long long)st->route_changes);
	for (k = 0; k < 2; k++)
		for (i = 0; i < PTDEV_STATS_VECS; i++)
			if (st->vec_routes[k][i]) {
				fprintf(f, "%s\"%s%u\":%llu", sep,
					k ? "msix" : "msi", i,
					(unsigned long long)
						st->vec_routes[k][i]);
				sep = ",";
			}
	fprintf(f,
		"},\"ignored\":{\"bad_config\":%llu,\"read_only_writes\":%llu,\"bad_bar\":%llu,\"msix_bad\":%llu},\"op_errors\":%llu}",
		(unsigned long long)s->bad_cfg,
		(unsigned long long)s->ro_writes,
		(unsigned long long)s->bad_bar,
		(unsigned long long)pt->vdev.msix.stats.bad_access,
		(unsigned long long)(s->op_errors +
				     pt->vdev.msix.stats.op_errors +
				     pt->vdev.msi.op_errors));
}

void stats_json(const struct vm *vm, FILE *f)
{
	const struct vm_stats *s = &vm->stats;
	struct timeline t = timeline_of(vm);
	unsigned int i;

	fprintf(f, "{\"vm_exits\":{");
	for (i = 0; i < NEXITS; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", exit_names[i].name,
			exits_of(vm, exit_names[i].reason));
	fprintf(f,
		"},\"pio\":{\"uart\":%llu,\"pci_config\":%llu,\"acpi\":%llu,\"devices\":%llu,\"unhandled\":%llu},",
		(unsigned long long)s->pio_uart,
		(unsigned long long)s->pio_pci_cfg,
		(unsigned long long)s->pio_acpi, (unsigned long long)s->pio_dev,
		(unsigned long long)s->pio_unhandled);
	fprintf(f,
		"\"config_absent_reads\":{\"bus0\":%llu,\"other_buses\":%llu},",
		(unsigned long long)vm->pci.absent_reads,
		(unsigned long long)vm->pci.other_bus_reads);
	fprintf(f,
		"\"mmio\":{\"ecam\":%llu,\"devices\":%llu,\"unhandled\":%llu},",
		(unsigned long long)s->mmio_ecam,
		(unsigned long long)s->mmio_dev,
		(unsigned long long)s->mmio_unhandled);
	/* -1 stands for a stage not reached. */
	fprintf(f,
		"\"timeline_ms\":{\"kvm_ready\":%.3f,\"devices_dma\":%.3f,\"first_vcpu_entry\":%.3f,\"guest_run\":%.3f},",
		t.kvm, t.dma, t.entry, t.run);
	fprintf(f, "\"exit_code\":%d,\"devices\":[", vm->exit_code);
	for (i = 0; i < vm->ndevs; i++) {
		if (i)
			fputc(',', f);
		ptdev_json(vm->dev[i], f);
	}
	fprintf(f, "]}\n");
}
