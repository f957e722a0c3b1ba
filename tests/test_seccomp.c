// SPDX-License-Identifier: MIT
/*
 * The real filter in the real kernel: a child installs it, tries one
 * system call, and the parent reads how it ended and what it said.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/vfio.h>

#include "opts.h"
#include "seccomp.h"
#include "tests/harness.h"

enum attempt {
	TRY_GETPID,
	TRY_WRITE,
	TRY_SOCKET,
	TRY_OPEN,
	TRY_EXEC_MMAP,
	TRY_FORK,
	TRY_BAD_IOCTL,
	TRY_THREAD_MMAP,
	TRY_DMA_MAP,
};

static void attempt(enum attempt a)
{
	void *p;

	switch (a) {
	case TRY_GETPID:
		if (syscall(SYS_getpid) <= 0)
			_exit(20);
		break;
	case TRY_WRITE:
		if (write(STDOUT_FILENO, "", 0) < 0)
			_exit(20);
		break;
	case TRY_SOCKET:
		syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
		break;
	case TRY_OPEN:
		if (syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY) < 0)
			_exit(20);
		break;
	case TRY_EXEC_MMAP:
		mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case TRY_FORK:
		syscall(SYS_clone, 17 /* SIGCHLD */, 0, 0, 0, 0);
		break;
	case TRY_DMA_MAP:
		/* allowed: the kernel answers it (a bad descriptor here) */
		if (syscall(SYS_ioctl, -1, VFIO_IOMMU_MAP_DMA, 0) >= 0 ||
		    errno != EBADF)
			_exit(20);
		break;
	case TRY_BAD_IOCTL:
		syscall(SYS_ioctl, STDIN_FILENO, 0x5401 + 0x100, 0);
		break;
	case TRY_THREAD_MMAP:
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(20);
		break;
	}
	_exit(0);
}

/*
 * Runs attempt a under the filter; returns the child's exit code, and
 * what it wrote on stderr in msg.
 */
static int sandboxed(int setup_again, enum attempt a, char *msg, size_t len)
{
	struct seccomp_policy pol = { .setup_again = setup_again };
	int fds[2], status;
	size_t got;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int ret;

		dup2(fds[1], STDERR_FILENO);
		ret = seccomp_install(&pol);
		if (ret == -EINVAL || ret == -ENOSYS)
			_exit(HARNESS_SKIP_CODE);
		if (ret)
			_exit(21);
		attempt(a);
	}
	close(fds[1]);
	/* The message comes in several writes: read to the end. */
	msg[0] = '\0';
	for (got = 0; got < len - 1; got += (size_t)n) {
		n = read(fds[0], msg + got, len - 1 - got);
		if (n <= 0)
			break;
		msg[got + (size_t)n] = '\0';
	}
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	if (WEXITSTATUS(status) == HARNESS_SKIP_CODE)
		SKIP("this kernel has no seccomp filters");
	return WEXITSTATUS(status);
}

TEST(filter_fits)
{
	struct sock_filter f[SECCOMP_MAX_INSNS];
	struct seccomp_policy run = { 0 }, again = { .setup_again = 1 };
	int a = seccomp_build(&run, f, SECCOMP_MAX_INSNS);
	int b = seccomp_build(&again, f, SECCOMP_MAX_INSNS);

	ASSERT_GE(a, 20);
	ASSERT_LT(a, b); /* setup again admits more */
	EXPECT_EQ(seccomp_build(&run, f, 10), -ENOSPC);
}

TEST(allowed_calls_pass)
{
	char msg[256];

	EXPECT_EQ(sandboxed(0, TRY_GETPID, msg, sizeof(msg)), 0);
	EXPECT_EQ(sandboxed(0, TRY_WRITE, msg, sizeof(msg)), 0);
	EXPECT_EQ(sandboxed(0, TRY_THREAD_MMAP, msg, sizeof(msg)), 0);
	EXPECT_EQ(msg[0], 0);
}

TEST(bar_dma_mappings_follow_the_guest_after_setup)
{
	char msg[256];

	/* the guest moves a BAR: its IOMMU mapping moves with it */
	EXPECT_EQ(sandboxed(0, TRY_DMA_MAP, msg, sizeof(msg)), 0);
	EXPECT_EQ(msg[0], 0);
}

TEST(forbidden_syscall_is_refused_with_one_line)
{
	char msg[256];

	EXPECT_EQ(sandboxed(0, TRY_SOCKET, msg, sizeof(msg)), EXIT_ERROR);
	EXPECT_TRUE(strstr(msg, "seccomp refused system call 41 ") != NULL);
	EXPECT_TRUE(strstr(msg, "--no-seccomp") != NULL);
	EXPECT_EQ(strchr(msg, '\n') - msg + 1, (long)strlen(msg));
}

TEST(no_new_files_unless_setup_runs_again)
{
	char msg[256];

	EXPECT_EQ(sandboxed(0, TRY_OPEN, msg, sizeof(msg)), EXIT_ERROR);
	EXPECT_EQ(sandboxed(1, TRY_OPEN, msg, sizeof(msg)), 0);
}

TEST(no_executable_memory_no_processes_no_stray_ioctls)
{
	char msg[256];

	EXPECT_EQ(sandboxed(1, TRY_EXEC_MMAP, msg, sizeof(msg)), EXIT_ERROR);
	EXPECT_EQ(sandboxed(1, TRY_FORK, msg, sizeof(msg)), EXIT_ERROR);
	EXPECT_EQ(sandboxed(1, TRY_BAD_IOCTL, msg, sizeof(msg)), EXIT_ERROR);
}

TEST_MAIN()
