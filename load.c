/* SPDX-License-Identifier: MIT */
/*
 * Reading the kernel and the initrd, for either arch's arch_load: what
 * goes where is the arch's and the pure code's in boot/.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fmt.h"
#include "load.h"
#include "memory.h"

int load_file(const char *path, uint8_t **buf, size_t *len)
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
	/* a regular file: one read suffices up to 2 GiB */
	n = read(fd, *buf, *len);
	if (n < 0 || (size_t)n != *len) {
		ret = n < 0 ? -errno : -EIO;
		free(*buf);
	}
out:
	close(fd);
	return ret;
}

int load_initrd_open(const char *path, int *fd, uint64_t *size)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fmt_fail("%s: cannot read initrd: %s", path,
			 *fd < 0 ? strerror(errno) : "not a regular file");
		if (*fd >= 0)
			close(*fd);
		return EXIT_ERROR;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

int load_initrd_read(const struct mem *m, const char *path, int fd,
		     uint64_t gpa, uint64_t size)
{
	uint8_t *dst = mem_gpa(m, gpa, size);
	uint64_t len;

	for (len = 0; dst && len < size;) {
		ssize_t n = read(fd, dst + len, size - len);

		if (n <= 0) {
			close(fd);
			return fmt_fail("%s: read failed: %s", path,
					n ? strerror(errno) : "file shrank");
		}
		len += (uint64_t)n;
	}
	close(fd);
	return dst ? 0 : fmt_fail("%s: not in guest RAM", path);
}
