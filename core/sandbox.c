// SPDX-License-Identifier: GPL-2.0
/* `lkvm sandbox`: the host side of running one command in a throw-away guest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

/* What guest/init looks for (see its "sandbox" action). */
#define SANDBOX_ROOT_TAG	"lkvm_root"
#define SANDBOX_CTL_TAG		"lkvm_sandbox"
/* Only the command's output on the console: no boot messages, no self-check. */
#define SANDBOX_PARAMS		"quiet loglevel=1 lkvm.action=sandbox"

char *sandbox_quote(const char *word)
{
	size_t n = 3;
	const char *p;
	char *q, *out;

	for (p = word; *p; p++)
		n += *p == '\'' ? 4 : 1;
	out = malloc(n);
	if (!out)
		return NULL;
	q = out;
	*q++ = '\'';
	for (p = word; *p; p++) {
		if (*p == '\'') {
			memcpy(q, "'\\''", 4);
			q += 4;
		} else {
			*q++ = *p;
		}
	}
	*q++ = '\'';
	*q = '\0';
	return out;
}

/* The caller's directory as the guest sees it under the shared root; "/" if outside. */
static void guest_cwd(const char *root, char *cwd, size_t len)
{
	size_t n = strlen(root);
	char here[PATH_MAX];

	if (!getcwd(here, sizeof(here))) {
		snprintf(cwd, len, "/");
		return;
	}
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (n == 1 && root[0] == '/')
		snprintf(cwd, len, "%s", here);
	else if (!strncmp(here, root, n) && (here[n] == '/' || !here[n]))
		snprintf(cwd, len, "/%s", here + n + (here[n] == '/'));
	else
		snprintf(cwd, len, "/");
}

static int write_script(const struct sandbox *sb, int argc, char **argv, struct err_msg *e)
{
	char path[PATH_MAX + 8], cwd[PATH_MAX];
	char *q;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/cmd", sb->ctl_dir);
	f = fopen(path, "w");
	if (!f)
		return err_set(e, errno, "sandbox: cannot write %s: %s", path, strerror(errno));
	guest_cwd(sb->root, cwd, sizeof(cwd));
	q = sandbox_quote(cwd);
	fprintf(f, "cd %s 2>/dev/null || cd /\nexec", q ? q : "/");
	free(q);
	for (i = 0; i < argc; i++) {
		q = sandbox_quote(argv[i]);
		if (!q) {
			fclose(f);
			return err_set(e, ENOMEM, "out of memory");
		}
		fprintf(f, " %s", q);
		free(q);
	}
	fputc('\n', f);
	if (fclose(f))
		return err_set(e, errno, "sandbox: cannot write %s: %s", path, strerror(errno));
	return 0;
}

static int add_share(struct vm_config *cfg, const char *dir, const char *tag, bool ro,
		     struct err_msg *e)
{
	struct p9_config *c;

	if (cfg->nr_shares == CONFIG_MAX_SHARES)
		return err_usage(e, "sandbox: at most %u --9p shares besides the root; drop one",
				 CONFIG_MAX_SHARES - 2);
	c = &cfg->shares[cfg->nr_shares];
	memset(c, 0, sizeof(*c));
	if (strlen(dir) >= sizeof(c->dir))
		return err_usage(e, "sandbox: the path '%.60s...' is too long", dir);
	strcpy(c->dir, dir);
	strcpy(c->tag, tag);
	c->ro = ro;
	cfg->nr_shares++;
	return 0;
}

/* Before the user's -p, so that theirs win. */
static int prepend_params(struct vm_config *cfg, const char *p, struct err_msg *e)
{
	size_t plen = strlen(cfg->params), n = strlen(p);

	if (plen + n + 2 > sizeof(cfg->params))
		return err_usage(e, "sandbox: the kernel parameters are too long; shorten -p");
	memmove(cfg->params + n + 1, cfg->params, plen + 1);
	memcpy(cfg->params, p, n);
	cfg->params[n] = plen ? ' ' : '\0';
	return 0;
}

int sandbox_prepare(struct sandbox *sb, struct vm_config *cfg, const char *root, int argc,
		    char **argv, struct err_msg *e)
{
	const char *tmp = getenv("TMPDIR");
	int ret;

	if (!argc)
		return err_usage(e, "sandbox: no command given; use 'lkvm sandbox [options] -- COMMAND [ARG...]'");
	if (!realpath(root, sb->root))
		return err_usage(e, "sandbox: --root '%s': %s; give an existing directory", root,
				 strerror(errno));
	snprintf(sb->ctl_dir, sizeof(sb->ctl_dir), "%s/lkvm-sandbox.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(sb->ctl_dir)) {
		ret = err_set(e, errno, "sandbox: cannot make %s: %s", sb->ctl_dir, strerror(errno));
		sb->ctl_dir[0] = '\0';
		return ret;
	}
	ret = write_script(sb, argc, argv, e);
	if (!ret)
		ret = add_share(cfg, sb->root, SANDBOX_ROOT_TAG, true, e);
	if (!ret)
		ret = add_share(cfg, sb->ctl_dir, SANDBOX_CTL_TAG, false, e);
	if (ret)
		return ret;
	return prepend_params(cfg, isatty(STDOUT_FILENO) ? SANDBOX_PARAMS :
				  SANDBOX_PARAMS " lkvm.tty=0", e);
}

int sandbox_status(const struct sandbox *sb)
{
	char path[PATH_MAX + 8];
	FILE *f;
	int status = -1;

	snprintf(path, sizeof(path), "%s/status", sb->ctl_dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &status) != 1 || status < 0 || status > 255)
		status = -1;
	fclose(f);
	return status;
}

void sandbox_cleanup(struct sandbox *sb)
{
	static const char *const files[] = { "cmd", "status" };
	char path[PATH_MAX + 8];
	unsigned int i;

	if (!sb->ctl_dir[0])
		return;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", sb->ctl_dir, files[i]);
		unlink(path);
	}
	rmdir(sb->ctl_dir);
	sb->ctl_dir[0] = '\0';
}
