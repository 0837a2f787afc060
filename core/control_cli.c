// SPDX-License-Identifier: GPL-2.0
/*
 * `lkvm list`, `stop`, `pause`, `resume`, `debug`, `balloon` and `stat`:
 * option parsing and output. Errors go back in e; vmm.c prints them.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "control.h"

enum ctl_opt_id {
	O_NAME, O_ALL, O_JSON, O_DUMP, O_NMI, O_SYSRQ, O_INFLATE, O_DEFLATE, O_MEMORY, O_HELP,
};

struct ctl_opt {
	enum ctl_opt_id id;
	char short_name;
	const char *long_name;
	bool has_arg;
};

static const struct ctl_opt ctl_opts[] = {
	{ O_NAME, 'n', "name", true },
	{ O_ALL, 'a', "all", false },
	{ O_JSON, 0, "json", false },
	{ O_DUMP, 0, "dump", false },
	{ O_NMI, 0, "nmi", false },
	{ O_SYSRQ, 0, "sysrq", true },
	{ O_INFLATE, 'i', "inflate", true },
	{ O_DEFLATE, 'd', "deflate", true },
	{ O_MEMORY, 'm', "memory", false },
	{ O_HELP, 'h', "help", false },
};

struct ctl_args {
	const char *cmd;
	const char *name;
	const char *sysrq;
	const char *inflate;
	const char *deflate;
	bool all, json, dump, nmi, memory, help;
};

struct ctl_cmd {
	const char *name;
	unsigned int opts;	/* BIT(enum ctl_opt_id) it accepts */
	int (*run)(const struct ctl_args *a, FILE *out, struct err_msg *e);	/* -errno */
	const char *usage;
};

#define BIT(n)		(1u << (n))

/* Asks one VM; a reply with "ok":false becomes e (status 1). */
static int ask(const char *name, const struct control_req *req, struct json_object **reply,
	       struct err_msg *e)
{
	struct json_object *r, *ok, *msg;
	int ret = control_call(name, req, &r, e);

	if (ret)
		return ret;
	json_object_object_get_ex(r, "ok", &ok);
	if (!json_object_get_boolean(ok)) {
		json_object_object_get_ex(r, "error", &msg);
		ret = err_set(e, EIO, "VM %s: %s", name, msg ? json_object_get_string(msg) : "failed");
		json_object_put(r);
		return ret;
	}
	if (reply)
		*reply = r;
	else
		json_object_put(r);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the sockets in the control directory, sorted; stale ones are not checked here. */
static int scan_names(char ***names, unsigned int *nr, struct err_msg *e)
{
	char dir[108], **v = NULL, **tmp;
	struct dirent *d;
	DIR *dh;
	size_t n;
	int ret = control_dir(dir, sizeof(dir), false, e);

	*nr = 0;
	*names = NULL;
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return e->text[0] ? ret : err_set(e, -ret, "%s: %s", dir, strerror(-ret));
	dh = opendir(dir);
	if (!dh)
		return err_set(e, errno, "cannot read %s: %s", dir, strerror(errno));
	while ((d = readdir(dh))) {
		n = strlen(d->d_name);
		if (n <= 5 || n - 5 >= CONFIG_NAME_MAX || strcmp(d->d_name + n - 5, ".sock"))
			continue;
		tmp = realloc(v, (*nr + 1) * sizeof(*v));
		if (!tmp)
			break;
		v = tmp;
		v[*nr] = strndup(d->d_name, n - 5);
		if (v[*nr])
			(*nr)++;
	}
	closedir(dh);
	if (v)	/* qsort() takes no NULL array, even an empty one */
		qsort(v, *nr, sizeof(*v), cmp_names);
	*names = v;
	return 0;
}

static void free_names(char **names, unsigned int nr)
{
	while (nr--)
		free(names[nr]);
	free(names);
}

/* Every running VM's "info" reply; stale sockets are removed on the way. */
static struct json_object *list_vms(struct err_msg *e)
{
	struct control_req req = { .cmd = CONTROL_INFO };
	struct json_object *arr, *r;
	struct err_msg one;
	unsigned int i, nr;
	char **names;

	if (scan_names(&names, &nr, e))
		return NULL;
	arr = json_object_new_array();
	for (i = 0; arr && i < nr; i++) {
		memset(&one, 0, sizeof(one));
		if (ask(names[i], &req, &r, &one))
			continue;	/* a stale socket (now removed), or a VM that just ended */
		json_object_object_del(r, "v");
		json_object_object_del(r, "ok");
		json_object_array_add(arr, r);
	}
	free_names(names, nr);
	if (!arr)
		err_set(e, ENOMEM, "out of memory");
	return arr;
}

static const char *field_str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "?";
}

static int cmd_list(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	struct json_object *arr = list_vms(e);
	size_t i;

	if (!arr)
		return -EIO;
	if (a->json) {
		fprintf(out, "%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								     JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		fprintf(out, "%-24s %8s %-8s %4s %9s\n", "NAME", "PID", "STATE", "CPUS", "MEM(MiB)");
		for (i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *vm = json_object_array_get_idx(arr, i);

			fprintf(out, "%-24s %8s %-8s %4s %9s\n", field_str(vm, "name"),
				field_str(vm, "pid"), field_str(vm, "state"), field_str(vm, "cpus"),
				field_str(vm, "mem_mib"));
		}
	}
	json_object_put(arr);
	return 0;
}

/* stop, pause, resume: on -n NAME or on every running VM (--all). */
static int simple_cmd(const struct ctl_args *a, enum control_cmd cmd, const char *done,
		      FILE *out, struct err_msg *e)
{
	struct control_req req = { .cmd = cmd };
	unsigned int i, nr;
	char **names;
	int ret;

	if (!a->all) {
		ret = ask(a->name, &req, NULL, e);
		if (!ret)
			fprintf(out, "%s: %s\n", a->name, done);
		return ret;
		return 0;
	}
	ret = scan_names(&names, &nr, e);
	for (i = 0; !ret && i < nr; i++) {
		struct err_msg one = { 0 };

		if (!ask(names[i], &req, NULL, &one))
			fprintf(out, "%s: %s\n", names[i], done);
		else if (!one.usage)	/* usage: a stale socket, which is gone now */
			*e = one;
	}
	free_names(names, nr);
	return ret ? ret : e->text[0] ? -EIO : 0;
}

static int cmd_stop(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	return simple_cmd(a, CONTROL_STOP, "stopped", out, e);
}

static int cmd_pause(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	return simple_cmd(a, CONTROL_PAUSE, "paused", out, e);
}

static int cmd_resume(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	return simple_cmd(a, CONTROL_RESUME, "resumed", out, e);
}

static void print_dump(struct json_object *r, FILE *out)
{
	struct json_object *arr, *one;
	size_t i;

	if (!json_object_object_get_ex(r, "vcpus", &arr))
		return;
	for (i = 0; i < json_object_array_length(arr); i++) {
		one = json_object_array_get_idx(arr, i);
		fprintf(out, "vCPU %s:\n%s", field_str(one, "id"), field_str(one, "regs"));
	}
}

static int cmd_debug(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	struct control_req req = { .cmd = CONTROL_DUMP };
	struct json_object *r;

	if (a->dump + a->nmi + !!a->sysrq != 1)
		return err_usage(e, "debug: give one of --dump, --nmi or --sysrq KEY");
	if (a->sysrq && (strlen(a->sysrq) != 1 || a->sysrq[0] <= ' ' || a->sysrq[0] > '~'))
		return err_usage(e, "--sysrq '%s': give one SysRq key, e.g. --sysrq h", a->sysrq);
	if (a->nmi)
		req.cmd = CONTROL_NMI;
	if (a->sysrq) {
		req.cmd = CONTROL_SYSRQ;
		req.key = a->sysrq[0];
	}
	if (ask(a->name, &req, &r, e))
		return -EIO;
	if (a->dump)
		print_dump(r, out);
	json_object_put(r);
	return 0;
}

static int parse_mib(const char *opt, const char *s, s64 *mib, struct err_msg *e)
{
	u64 v;

	if (config_parse_size_mib(s, &v) || !v || v > (1ULL << 40))
		return err_usage(e, "%s '%s': give a size in MiB like 256, or 1G", opt, s);
	*mib = v;
	return 0;
}

static int cmd_balloon(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	struct control_req req = { .cmd = CONTROL_BALLOON };
	struct json_object *r;

	if (!a->inflate == !a->deflate)
		return err_usage(e, "balloon: give one of --inflate MiB or --deflate MiB");
	if (a->inflate && parse_mib("--inflate", a->inflate, &req.balloon_mib, e))
		return -EINVAL;
	if (a->deflate && parse_mib("--deflate", a->deflate, &req.balloon_mib, e))
		return -EINVAL;
	if (a->deflate)
		req.balloon_mib = -req.balloon_mib;
	if (ask(a->name, &req, &r, e))
		return -EIO;
	fprintf(out, "%s: balloon target %s MiB (the guest holds %s MiB in it now)\n", a->name,
		field_str(r, "balloon_target_mib"), field_str(r, "balloon_actual_mib"));
	json_object_put(r);
	return 0;
}

/* One "key: value" line per statistic the guest reported, sizes in MiB. */
static int cmd_stat(const struct ctl_args *a, FILE *out, struct err_msg *e)
{
	static const char *const sizes[] = {
		"total_memory", "free_memory", "available_memory", "disk_caches",
		"swap_in", "swap_out",
	};
	static const char *const counts[] = {
		"major_faults", "minor_faults", "hugetlb_allocations", "hugetlb_failures",
	};
	struct control_req req = { .cmd = CONTROL_STAT };
	struct json_object *r, *v;
	unsigned int i;

	if (!a->memory)
		return err_usage(e, "stat: give --memory");
	if (ask(a->name, &req, &r, e))
		return -EIO;
	fprintf(out, "%s: balloon target %s MiB, actual %s MiB%s\n", a->name,
		field_str(r, "balloon_target_mib"), field_str(r, "balloon_actual_mib"),
		json_object_object_get_ex(r, "fresh", &v) && json_object_get_boolean(v) ? "" :
		" (the guest did not answer in time: statistics may be old)");
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		if (json_object_object_get_ex(r, sizes[i], &v))
			fprintf(out, "  %-20s %10.1f MiB\n", sizes[i],
				json_object_get_int64(v) / 1048576.0);
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		if (json_object_object_get_ex(r, counts[i], &v))
			fprintf(out, "  %-20s %10lld\n", counts[i], (long long)json_object_get_int64(v));
	json_object_put(r);
	return 0;
}

#define NAME_OR_ALL	(BIT(O_NAME) | BIT(O_ALL) | BIT(O_HELP))
#define NAME_ONLY	(BIT(O_NAME) | BIT(O_HELP))

static const struct ctl_cmd ctl_cmds[] = {
	{ "list", BIT(O_JSON) | BIT(O_HELP), cmd_list,
	  "usage: lkvm list [--json]\n\nLists this user's running VMs: name, pid, state, vCPUs, memory.\n" },
	{ "stop", NAME_OR_ALL, cmd_stop,
	  "usage: lkvm stop -n NAME | --all\n\nEnds the VM (its lkvm run exits with status 0) once its disks'\nin-flight requests are done, and waits for that.\n" },
	{ "pause", NAME_OR_ALL, cmd_pause,
	  "usage: lkvm pause -n NAME | --all\n\nStops the VM's vCPUs; its clock stops with them.\n" },
	{ "resume", NAME_OR_ALL, cmd_resume,
	  "usage: lkvm resume -n NAME | --all\n\nRestarts the vCPUs of a paused VM.\n" },
	{ "debug", NAME_ONLY | BIT(O_DUMP) | BIT(O_NMI) | BIT(O_SYSRQ), cmd_debug,
	  "usage: lkvm debug -n NAME --dump | --nmi | --sysrq KEY\n\n"
	  "  --dump       print every vCPU's registers\n"
	  "  --nmi        inject an NMI into every vCPU (x86)\n"
	  "  --sysrq KEY  send a break and KEY on the serial console (x86's 8250)\n" },
	{ "balloon", NAME_ONLY | BIT(O_INFLATE) | BIT(O_DEFLATE), cmd_balloon,
	  "usage: lkvm balloon -n NAME --inflate MiB | --deflate MiB\n\n"
	  "Grows or shrinks the balloon of a VM started with --balloon: the guest\n"
	  "hands inflated memory back to this host and gets it back on deflate (or\n"
	  "by itself when it runs out of memory).\n" },
	{ "stat", NAME_ONLY | BIT(O_MEMORY), cmd_stat,
	  "usage: lkvm stat -n NAME --memory\n\n"
	  "Prints the memory statistics the guest's balloon driver reports (a VM\n"
	  "started with --balloon): total, free, available, caches, swap, faults.\n" },
};

static const struct ctl_cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl_cmds); i++)
		if (!strcmp(ctl_cmds[i].name, name))
			return &ctl_cmds[i];
	return NULL;
}

bool control_cli_has(const char *cmd)
{
	return find_cmd(cmd);
}

static const struct ctl_opt *lookup(const char *a, const char **inline_arg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl_opts); i++) {
		const struct ctl_opt *o = &ctl_opts[i];

		if (opt_matches(a, o->short_name, o->long_name, o->has_arg, inline_arg))
			return o;
	}
	return NULL;
}

static void apply(struct ctl_args *a, enum ctl_opt_id id, const char *arg)
{
	switch (id) {
	case O_NAME: a->name = arg; break;
	case O_ALL: a->all = true; break;
	case O_JSON: a->json = true; break;
	case O_DUMP: a->dump = true; break;
	case O_NMI: a->nmi = true; break;
	case O_SYSRQ: a->sysrq = arg; break;
	case O_INFLATE: a->inflate = arg; break;
	case O_DEFLATE: a->deflate = arg; break;
	case O_MEMORY: a->memory = true; break;
	case O_HELP: a->help = true; break;
	}
}

static int parse_args(const struct ctl_cmd *c, int argc, char **argv, struct ctl_args *a,
		      struct err_msg *e)
{
	const struct ctl_opt *o;
	const char *arg;
	int i;

	for (i = 0; i < argc; i++) {
		o = argv[i][0] == '-' && argv[i][1] ? lookup(argv[i], &arg) : NULL;
		if (!o || !(c->opts & BIT(o->id)))
			return err_usage(e, "%s: unknown option '%s'; see 'lkvm %s --help'",
					 c->name, argv[i], c->name);
		if (o->has_arg && !arg) {
			if (i + 1 >= argc)
				return err_usage(e, "%s: option '%s' needs a value; see 'lkvm %s --help'",
						 c->name, argv[i], c->name);
			arg = argv[++i];
		}
		apply(a, o->id, arg);
	}
	return 0;
}

/* Names a VM: -n NAME, or --all where the command takes it. */
static int check_target(const struct ctl_cmd *c, const struct ctl_args *a, struct err_msg *e)
{
	if (!(c->opts & BIT(O_NAME)))
		return 0;
	if (a->name && a->all)
		return err_usage(e, "%s: give -n NAME or --all, not both", c->name);
	if (!a->name && !a->all)
		return err_usage(e, "%s: give the VM's name with -n NAME%s (see 'lkvm list')",
				 c->name, c->opts & BIT(O_ALL) ? ", or --all" : "");
	if (a->name && (!*a->name || strlen(a->name) >= CONFIG_NAME_MAX || strchr(a->name, '/')))
		return err_usage(e, "%s: -n '%s' is not a VM name; see 'lkvm list'", c->name,
				 a->name);
	return 0;
}

int control_cli(const char *cmd, int argc, char **argv, FILE *out, struct err_msg *e)
{
	const struct ctl_cmd *c = find_cmd(cmd);
	struct ctl_args a = { .cmd = cmd };
	int ret;

	if (!c)
		ret = err_usage(e, "unknown command '%s'; see 'lkvm help'", cmd);
	else
		ret = parse_args(c, argc, argv, &a, e);
	if (!ret && a.help) {
		fputs(c->usage, out);
		return 0;
	}
	if (!ret)
		ret = check_target(c, &a, e);
	if (!ret)
		ret = c->run(&a, out, e);
	if (!ret)
		return 0;
	return e->usage ? 2 : 1;
}
