// SPDX-License-Identifier: MIT
#include <errno.h>

#include "opts.h"
#include "tests/harness.h"

static int parse(struct opts *o, const char *a0, const char *a1, const char *a2,
		 const char *a3)
{
	char *argv[4] = { (char *)a0, (char *)a1, (char *)a2, (char *)a3 };
	int argc = 0;

	while (argc < 4 && argv[argc])
		argc++;
	return opts_parse(o, argc, argv);
}

TEST(sizes)
{
	uint64_t b = 0;

	ASSERT_EQ(opts_parse_size("512M", &b), 0);
	EXPECT_EQ(b, 512ULL << 20);
	ASSERT_EQ(opts_parse_size("2G", &b), 0);
	EXPECT_EQ(b, 2ULL << 30);
	ASSERT_EQ(opts_parse_size("1024", &b), 0);
	EXPECT_EQ(b, 1024ULL << 20);
	ASSERT_EQ(opts_parse_size("4096K", &b), 0);
	EXPECT_EQ(b, 4096ULL << 10);
	ASSERT_EQ(opts_parse_size("512MiB", &b), 0);
	EXPECT_EQ(b, 512ULL << 20);
	ASSERT_EQ(opts_parse_size("1GB", &b), 0);
	EXPECT_EQ(b, 1ULL << 30);
	EXPECT_EQ(opts_parse_size("", &b), -EINVAL);
	EXPECT_EQ(opts_parse_size("lots", &b), -EINVAL);
	EXPECT_EQ(opts_parse_size("-1G", &b), -EINVAL);
	EXPECT_EQ(opts_parse_size("1T", &b), -EINVAL);
	EXPECT_EQ(opts_parse_size("12Mx", &b), -EINVAL);
	EXPECT_EQ(opts_parse_size("99999999999999999999G", &b), -ERANGE);
	EXPECT_EQ(opts_parse_size("99999999999G", &b), -ERANGE);
}

TEST(bdfs)
{
	struct pci_bdf b;

	ASSERT_EQ(opts_parse_bdf("0000:00:04.0", &b), 0);
	EXPECT_EQ(b.domain, 0);
	EXPECT_EQ(b.slot, 4);
	ASSERT_EQ(opts_parse_bdf("00AB:1f:1F.7", &b), 0);
	EXPECT_EQ(b.domain, 0xab);
	EXPECT_EQ(b.bus, 0x1f);
	EXPECT_EQ(b.slot, 0x1f);
	EXPECT_EQ(b.fn, 7);
	ASSERT_EQ(opts_parse_bdf("01:00.1", &b), 0);
	EXPECT_EQ(b.bus, 1);
	EXPECT_EQ(b.fn, 1);
	EXPECT_EQ(opts_parse_bdf("00:20.0", &b), -EINVAL); /* slot > 0x1f */
	EXPECT_EQ(opts_parse_bdf("00:04.8", &b), -EINVAL); /* fn > 7 */
	EXPECT_EQ(opts_parse_bdf("00:4.0", &b), -EINVAL);
	EXPECT_EQ(opts_parse_bdf("0000-00:04.0", &b), -EINVAL);
	EXPECT_EQ(opts_parse_bdf("00:04:0", &b), -EINVAL);
	EXPECT_EQ(opts_parse_bdf("g0:04.0", &b), -EINVAL);
	EXPECT_EQ(opts_parse_bdf("", &b), -EINVAL);
}

TEST(both_forms_and_defaults)
{
	struct opts o;

	ASSERT_EQ(parse(&o, "--kernel", "k", "--mem=1G", NULL), 0);
	EXPECT_EQ(o.mem, 1ULL << 30);
	EXPECT_EQ(o.cpus, 1);
	ASSERT_STREQ(o.kernel, "k");
	ASSERT_STREQ(o.cmdline, OPTS_DEFAULT_CMDLINE);
	ASSERT_EQ(parse(&o, "--kernel=k", "--cpus", "2", NULL), 0);
	EXPECT_EQ(o.cpus, 2);
	EXPECT_EQ(o.mem, OPTS_DEFAULT_MEM);
	ASSERT_EQ(parse(&o, "--kernel=k", "--cmdline=", NULL, NULL), 0);
	ASSERT_STREQ(o.cmdline, "");
}

TEST(errors_name_the_option)
{
	struct opts o;

	EXPECT_EQ(parse(&o, "--kernel", "k", "--frob", NULL), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "unknown option '--frob'"));
	EXPECT_EQ(parse(&o, "--kernel", "k", "--mem", NULL), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "--mem needs a value"));
	EXPECT_EQ(parse(&o, "--kernel", "k", "--cpus", "0"), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "--cpus '0'"));
	EXPECT_EQ(parse(&o, "--kernel", "k", "--cpus", "two"), -EINVAL);
	EXPECT_EQ(parse(&o, "--kernel", "k", "--cpus", "99999"), -EINVAL);
	EXPECT_EQ(parse(&o, "--kernel", "k", "--mem", "4M"), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "too small"));
	EXPECT_EQ(parse(&o, "--mem", "1G", NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "no kernel given"));
	EXPECT_EQ(parse(&o, "--kernel", "", NULL, NULL), -EINVAL);
	ASSERT_EQ(parse(&o, "--help", NULL, NULL, NULL), 0);
	EXPECT_TRUE(o.help);
}

TEST(devices)
{
	char *argv[2 * OPTS_MAX_DEVICES + 4];
	char names[OPTS_MAX_DEVICES + 1][16];
	struct opts o;
	int i, n = 0;

	EXPECT_EQ(parse(&o, "--kernel=k", "--device", "00:04.0",
			"--device=0000:00:04.0"),
		  -EINVAL);
	EXPECT_TRUE(strstr(o.err, "given twice"));
	EXPECT_EQ(parse(&o, "--kernel=k", "--device", "00:4.0", NULL), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "not a PCI address"));
	argv[n++] = "--kernel=k";
	for (i = 0; i <= OPTS_MAX_DEVICES; i++) {
		snprintf(names[i], sizeof(names[i]), "00:%02x.0", i + 1);
		argv[n++] = "--device";
		argv[n++] = names[i];
	}
	ASSERT_EQ(opts_parse(&o, n - 2, argv), 0);
	EXPECT_EQ(o.ndevices, OPTS_MAX_DEVICES);
	EXPECT_EQ(o.device[15].slot, 16);
	EXPECT_EQ(opts_parse(&o, n, argv), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "at most"));
}

/* A VF of a PF on vfio-pci takes its token; its form is VFIO's to check. */
TEST(device_vf_token)
{
	static const char *const bad[] = {
		"0000:00:04.1,",
		"0000:00:04.1,vf_token=x",
		"0000:00:04.1,vf-token",
		"00:04.1,token=x",
		"0000:00:4.1,vf-token=x",
		"0000:00:04.10,vf-token=x",
		",vf-token=x",
	};
	const char *tok = "0000:00:04.1,vf-token=2ab7f6a8-4a1e-4b8c-9c1e-"
			  "0f0e0d0c0b0a";
	struct opts o;
	unsigned int i;

	ASSERT_EQ(parse(&o, "--kernel=k", "--device", tok, "--device=00:05.0"),
		  0);
	EXPECT_EQ(o.ndevices, 2);
	EXPECT_EQ(o.device[0].slot, 4);
	EXPECT_EQ(o.device[0].fn, 1);
	EXPECT_TRUE(o.vf_token[0] && !strcmp(o.vf_token[0], tok + 22));
	EXPECT_TRUE(!o.vf_token[1]);
	/* the same function twice, with and without a token */
	EXPECT_EQ(parse(&o, "--kernel=k", "--device", tok, "--device=00:04.1"),
		  -EINVAL);
	EXPECT_TRUE(strstr(o.err, "given twice"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(parse(&o, "--kernel=k", "--device", bad[i], NULL),
			  -EINVAL);
		EXPECT_TRUE(strstr(o.err, bad[i]));
	}
}

TEST(dma_map)
{
	static const char *const bad[] = { "after",	  "",
					   "Before",	  "before ",
					   "overlapping", "1" };
	struct opts o;
	unsigned int i;

	ASSERT_EQ(parse(&o, "--kernel=k", NULL, NULL, NULL), 0);
	EXPECT_EQ(o.dma_before, 0);
	ASSERT_EQ(parse(&o, "--kernel=k", "--dma-map", "before", NULL), 0);
	EXPECT_EQ(o.dma_before, 1);
	ASSERT_EQ(parse(&o, "--kernel=k", "--dma-map=overlap", NULL, NULL), 0);
	EXPECT_EQ(o.dma_before, 0);
	ASSERT_EQ(parse(&o, "--kernel=k", "--dma-map=before", NULL, NULL), 0);
	EXPECT_EQ(o.dma_before, 1);
	ASSERT_EQ(parse(&o, "--kernel=k", NULL, NULL, NULL), 0);
	EXPECT_EQ(o.dma_before, 0); /* the default again, not what was left */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(o.err, 0, sizeof(o.err));
		EXPECT_EQ(parse(&o, "--kernel=k", "--dma-map", bad[i], NULL),
			  -EINVAL);
		if (!strstr(o.err, "--dma-map"))
			HARNESS_REPORT("'%s': \"%s\"", bad[i], o.err);
		EXPECT_TRUE(strstr(o.err, "--dma-map"));
	}
	EXPECT_EQ(parse(&o, "--kernel=k", "--dma-map", NULL, NULL), -EINVAL);
	EXPECT_TRUE(strstr(o.err, "--dma-map needs a value"));
}

TEST(prefault_threads)
{
	static const struct {
		const char *v;
		int want;
	} good[] = { { "auto", -1 }, { "0", 0 },   { "1", 1 },
		     { "8", 8 },     { "16", 16 }, { "016", 16 } };
	static const char *const bad[] = { "17",
					   "-1",
					   "x",
					   "",
					   "1x",
					   "auto1",
					   "Auto",
					   " 1",
					   "+1",
					   "100",
					   "99999999999999999999" };
	struct opts o;
	char arg[64];
	unsigned int i;

	ASSERT_EQ(parse(&o, "--kernel=k", NULL, NULL, NULL), 0);
	EXPECT_EQ(o.prefault_threads, -1); /* auto */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.prefault_threads = -2;
		ASSERT_EQ(parse(&o, "--kernel=k", "--prefault-threads",
				good[i].v, NULL),
			  0);
		EXPECT_EQ(o.prefault_threads, good[i].want);
		snprintf(arg, sizeof(arg), "--prefault-threads=%s", good[i].v);
		o.prefault_threads = -2;
		ASSERT_EQ(parse(&o, "--kernel=k", arg, NULL, NULL), 0);
		EXPECT_EQ(o.prefault_threads, good[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(o.err, 0, sizeof(o.err));
		EXPECT_EQ(parse(&o, "--kernel=k", "--prefault-threads", bad[i],
				NULL),
			  -EINVAL);
		if (!strstr(o.err, "--prefault-threads"))
			HARNESS_REPORT("'%s': \"%s\"", bad[i], o.err);
		EXPECT_TRUE(strstr(o.err, "--prefault-threads"));
	}
	EXPECT_EQ(parse(&o, "--kernel=k", "--prefault-threads=", NULL, NULL),
		  -EINVAL);
	EXPECT_TRUE(strstr(o.err, "--prefault-threads"));
	EXPECT_EQ(parse(&o, "--kernel=k", "--prefault-threads", NULL, NULL),
		  -EINVAL);
	EXPECT_TRUE(strstr(o.err, "--prefault-threads needs a value"));
}

TEST_MAIN()
