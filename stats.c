/* SPDX-License-Identifier: MIT */
/*
 * --stats: what the counters say, as text lines on stderr or as one JSON
 * object. The counters are plain increments on paths that already cost a
 * VM exit, so they stay on whether or not anyone asks for them.
 */
#include <stdio.h>
#include <time.h>

#include <linux/vfio.h>

#include "clock.h"
#include "fmt.h"
#include "stats.h"
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
	{ KVM_EXIT_ARM_NISV, "arm_nisv" }, /* arm64: an undecoded MMIO access */
};

#define NEXITS (sizeof(exit_names) / sizeof(exit_names[0]))

static unsigned long long exits_of(const struct vm *vm, unsigned int reason)
{
	unsigned long long n = 0;
	unsigned int c;

	for (c = 0; c < vm->ncpus; c++)
		n += vm->vcpu[c].exits[reason];
	return n;
}

/*
 * Nanoseconds from process start to t, or -1 if t has not happened. The
 * timeline is printed in milliseconds with integer arithmetic: no floating
 * point formatting in the binary.
 */
static int64_t ns_since_start(const struct vm *vm, uint64_t t)
{
	return t ? (int64_t)(t - vm->stats.t_start) : -1;
}

/* The timeline: when each stage of start-up ended, and the guest's run. */
struct timeline {
	int64_t kvm, dma, entry, run, shutdown, poweroff, dma_ready;
};

static struct timeline timeline_of(const struct vm *vm)
{
	const struct vm_stats *s = &vm->stats;
	uint64_t entry = vm->vcpu[0].entry_ns, end = s->t_end;
	struct timeline t = {
		.kvm = ns_since_start(vm, s->t_kvm),
		.dma = ns_since_start(vm, s->t_dma),
		.entry = ns_since_start(vm, entry),
		.run = -1,
		.shutdown = ns_since_start(vm, s->t_shutdown),
		.poweroff = ns_since_start(vm, s->t_poweroff),
		.dma_ready = ns_since_start(vm, s->t_dma_ready),
	};

	if (!end)
		end = clock_ns();
	if (entry)
		t.run = (int64_t)(end - entry);
	return t;
}

int stats_fmt_ms(char *buf, size_t n, int64_t ns, unsigned int decimals)
{
	uint64_t unit = decimals == 3 ? 1000 : 100000; /* ns per last digit */
	uint64_t scale = decimals == 3 ? 1000 : 10, q;

	if (ns < 0)
		return fmt_snprintf(buf, n, decimals == 3 ? "-1.000" : "-1.0");
	q = ((uint64_t)ns + unit / 2) / unit;
	return fmt_snprintf(buf, n,
			    decimals == 3 ? "%llu.%03llu" : "%llu.%01llu",
			    (unsigned long long)(q / scale),
			    (unsigned long long)(q % scale));
}

/* A named counter; names are JSON's, text shows '_' as a space. */
struct stat_item {
	const char *name;
	uint64_t v;
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static void put_name(FILE *f, const char *name, const char *end)
{
	for (; *name; name++)
		fputc(*name == '_' ? ' ' : *name, f);
	fputs(end, f);
}

/*
 * One group of counters: "name a 1, b 2" on a text line, or
 * "name":{"a":1,"b":2} in JSON; sep goes before it.
 */
static void group(FILE *f, int json, const char *sep, const char *name,
		  const struct stat_item *it, unsigned int n)
{
	unsigned int i;

	fputs(sep, f);
	if (json)
		fmt_fprintf(f, "\"%s\":{", name);
	else
		put_name(f, name, ":");
	for (i = 0; i < n; i++) {
		if (json) {
			fmt_fprintf(f, "%s\"%s\":%llu", i ? "," : "",
				    it[i].name, (unsigned long long)it[i].v);
			continue;
		}
		fputs(i ? ", " : " ", f);
		put_name(f, it[i].name, " ");
		fmt_fprintf(f, "%llu", (unsigned long long)it[i].v);
	}
	fputs(json ? "}" : "", f);
}

/* Vectors whose route was made or changed, by index: "msix0" 2, ... */
static unsigned int vec_items(const struct ptdev_stats *st,
			      struct stat_item *it, char names[][8])
{
	unsigned int k, i, n = 0;

	for (k = 0; k < 2; k++)
		for (i = 0; i < PTDEV_STATS_VECS; i++)
			if (st->vec_routes[k][i]) {
				fmt_snprintf(names[n], 8, "%s%u",
					     k ? "msix" : "msi", i);
				it[n] = (struct stat_item){
					names[n], st->vec_routes[k][i]
				};
				n++;
			}
	return n;
}

static void ptdev_out(const struct ptdev *pt, FILE *f, int json)
{
	const struct ptdev_stats *st = &pt->stats;
	const struct pci_vdev_stats *s = &pt->vdev.stats;
	struct stat_item traps[] = {
		{ "config", st->cfg },	      { "msix_table", st->msix_table },
		{ "msix_pba", st->msix_pba }, { "bar0", st->bar[0] },
		{ "bar1", st->bar[1] },	      { "bar2", st->bar[2] },
		{ "bar3", st->bar[3] },	      { "bar4", st->bar[4] },
		{ "bar5", st->bar[5] },
	};
	struct stat_item ignored[] = {
		{ "bad_config", s->bad_cfg },
		{ "read_only_writes", s->ro_writes },
		{ "bad_bar", s->bad_bar },
		{ "msix_bad", pt->vdev.msix.stats.bad_access },
		{ "op_errors", s->op_errors + pt->vdev.msix.stats.op_errors +
				       pt->vdev.msi.op_errors },
	};
	struct stat_item resets[] = {
		{ "done", st->resets },
		{ "failed", st->reset_failed },
		{ "us", st->reset_ns / 1000 },
		{ "max_us", st->reset_max_ns / 1000 },
	};
	struct stat_item routes[2 * PTDEV_STATS_VECS];
	char names[2 * PTDEV_STATS_VECS][8];
	unsigned int nroutes = vec_items(st, routes, names);
	char pre[48], nlpre[48];

	/* Text lines start with the device; JSON is one object per device. */
	fmt_snprintf(pre, sizeof(pre), "ptvm: stats: %s: ", pt->dev.name);
	fmt_snprintf(nlpre, sizeof(nlpre), "\n%s", pre);
	if (json)
		fmt_fprintf(f, "{\"bdf\":\"%s\",\"route_changes\":%llu,",
			    pt->dev.name,
			    (unsigned long long)st->route_changes);
	group(f, json, json ? "" : pre, "traps", traps, NITEMS(traps));
	if (!json)
		fmt_fprintf(f, "%sroutes changed %llu", nlpre,
			    (unsigned long long)st->route_changes);
	group(f, json, json ? "," : "; ", json ? "vector_routes" : "per vector",
	      routes, nroutes);
	group(f, json, json ? "," : nlpre, "resets", resets, NITEMS(resets));
	group(f, json, json ? "," : nlpre, "ignored", ignored, NITEMS(ignored));
	fputs(json ? "}" : "\n", f);
}

static void vm_out(const struct vm *vm, FILE *f, int json)
{
	const struct vm_stats *s = &vm->stats;
	struct timeline t = timeline_of(vm);
	const char *pre = json ? "," : "\nptvm: stats: ";
	struct stat_item exits[NEXITS];
	struct stat_item pio[] = {
		{ "uart", s->pio_uart },
		{ "pci_config", s->pio_pci_cfg },
		{ "acpi", s->pio_acpi },
		{ "devices", s->pio_dev },
		{ "unhandled", s->pio_unhandled },
		/* not exits: replayed from KVM's ring */
		{ "queued_config_address", vm->coalesced.replayed },
	};
	struct stat_item bridge[] = {
		{ "absent_bus0", vm->pci.absent_reads },
		{ "absent_other_buses", vm->pci.other_bus_reads },
		{ "bad_access", vm->pci.bad_access },
	};
	struct stat_item mmio[] = {
		{ "uart", s->mmio_uart }, /* arm64's platform is MMIO */
		{ "power", s->mmio_power }, /* arm64's PL061 */
		{ "ecam", s->mmio_ecam },	    { "devices", s->mmio_dev },
		{ "unhandled", s->mmio_unhandled },
	};
	const struct pci_p2p_stats *p2p = &vm->p2p.stats;
	/* Peer-to-peer: BARs in the IOMMU (guest RAM is mapped once, apart). */
	struct stat_item bar_dma[] = {
		{ "maps", p2p->maps },
		{ "unmaps", p2p->unmaps },
		{ "map_failed", p2p->map_failed },
		{ "unmap_failed", p2p->unmap_failed },
		{ "refused", p2p->refused },
		{ "kept", p2p->kept },
		{ "map_us", s->bar_dma_map_ns / 1000 },
	};
	/* Guest RAM in the IOMMU, and the config writes that waited for it. */
	struct stat_item ram_dma[] = {
		{ "prefault_threads", vm->dmamap.prefault_threads },
		{ "prefault_us", vm->dmamap.prefault_ns / 1000 },
		{ "map_us", vm->dmamap.map_ns / 1000 },
		{ "held_writes", s->held_writes },
		{ "hold_us", s->hold_ns / 1000 },
		{ "hold_max_us", s->hold_max_ns / 1000 },
	};
	unsigned int i;

	for (i = 0; i < NEXITS; i++)
		exits[i] = (struct stat_item){
			exit_names[i].name, exits_of(vm, exit_names[i].reason)
		};
	group(f, json, json ? "{" : "ptvm: stats: ", "vm_exits", exits, NEXITS);
	group(f, json, pre, "pio", pio, NITEMS(pio));
	group(f, json, pre, "host_bridge", bridge, NITEMS(bridge));
	group(f, json, pre, "mmio", mmio, NITEMS(mmio));
	group(f, json, pre, "bar_dma", bar_dma, NITEMS(bar_dma));
	group(f, json, pre, "ram_dma", ram_dma, NITEMS(ram_dma));
	/* Milliseconds from process start; -1 stands for a stage not reached. */
	{
		static const char *const names[2][7] = {
			{ "\nptvm: stats: timeline ms: kvm ready ",
			  ", devices dma ", ", first vcpu entry ",
			  ", guest run ", ", shutdown request ",
			  ", guest poweroff ", ", ram dma ready " },
			{ ",\"timeline_ms\":{\"kvm_ready\":",
			  ",\"devices_dma\":", ",\"first_vcpu_entry\":",
			  ",\"guest_run\":", ",\"shutdown_request\":",
			  ",\"guest_poweroff\":", ",\"ram_dma_ready\":" },
		};
		const int64_t v[7] = { t.kvm,	   t.dma,      t.entry,
				       t.run,	   t.shutdown, t.poweroff,
				       t.dma_ready };
		char ms[32];

		for (i = 0; i < 7; i++) {
			stats_fmt_ms(ms, sizeof(ms), v[i], json ? 3 : 1);
			fputs(names[json][i], f);
			fputs(ms, f);
		}
		fputs(json ? "}" : "\n", f);
	}
	if (json)
		fmt_fprintf(f, ",\"exit_code\":%d,\"devices\":[",
			    vm->exit_code);
	for (i = 0; i < vm->ndevs; i++) {
		if (json && i)
			fputc(',', f);
		ptdev_out(vm->dev[i], f, json);
	}
	if (json)
		fputs("]}\n", f);
}

void stats_print(const struct vm *vm, FILE *f)
{
	vm_out(vm, f, 0);
}

void stats_json(const struct vm *vm, FILE *f)
{
	vm_out(vm, f, 1);
}
