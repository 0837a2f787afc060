// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* Records the message and hands back the (negative) error for a one-line return. */
int err_set(struct err_msg *e, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
		e->usage = false;
	}
	return errnum > 0 ? -errnum : errnum;
}

int err_usage(struct err_msg *e, const char *fmt, ...)
{
	va_list ap;

	if (e) {
		va_start(ap, fmt);
		vsnprintf(e->text, sizeof(e->text), fmt, ap);
		va_end(ap);
		e->usage = true;
	}
	return -EINVAL;
}

int read_file(const char *path, u64 max, void **buf, u64 *len)
{
	struct stat st;
	u8 *p = NULL;
	u64 done = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if ((u64)st.st_size > max) {
		ret = -EFBIG;
		goto out;
	}
	p = malloc(st.st_size ? st.st_size : 1);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	while (done < (u64)st.st_size) {
		ssize_t n = read(fd, p + done, st.st_size - done);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			free(p);
			goto out;
		}
		done += n;
	}
	*buf = p;
	*len = done;
	ret = 0;
out:
	close(fd);
	return ret;
}

int load_user_file(const char *what, const char *path, u64 max, void **buf, u64 *len,
		   struct err_msg *e)
{
	int ret = read_file(path, max, buf, len);

	if (ret == -EFBIG)
		return err_usage(e, "%s '%s' is larger than %llu MiB; is it the right file?",
				 what, path, (unsigned long long)(max >> 20));
	if (ret == -EINVAL)
		return err_usage(e, "%s '%s' is not a regular file", what, path);
	if (ret)
		return err_usage(e, "cannot read %s '%s': %s", what, path, strerror(-ret));
	return 0;
}
