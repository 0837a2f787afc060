// SPDX-License-Identifier: GPL-2.0
/*
 * lkvm's entry point: the only place that prints for the user and decides
 * the process's exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/control.h"
#include "core/sandbox.h"
#include "core/vm.h"

#ifndef LKVM_VERSION
#define LKVM_VERSION "0.0-dev"
#endif
#ifndef LKVM_GUEST_DIR
#define LKVM_GUEST_DIR "guest/out"
#endif
#ifndef LKVM_ARCH
#define LKVM_ARCH "x86_64"
#endif

static const char usage_main[] =
	"usage: lkvm COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  run       boot a guest kernel (see 'lkvm run --help')\n"
	"  sandbox   run one command in a throw-away guest over this host's files\n"
	"            (see 'lkvm sandbox --help')\n"
	"  list      list running VMs (--json)\n"
	"  stop      stop a VM (-n NAME or --all)\n"
	"  pause     pause a VM's vCPUs (-n NAME or --all)\n"
	"  resume    resume a paused VM (-n NAME or --all)\n"
	"  debug     -n NAME --dump (registers), --nmi, or --sysrq KEY\n"
	"  balloon   -n NAME --inflate MiB | --deflate MiB (a VM run with --balloon)\n"
	"  stat      -n NAME --memory: the guest's memory statistics (--balloon)\n"
	"  version   print lkvm's version\n"
	"  help      print this text\n";

static const char usage_run[] =
	"usage: lkvm run [OPTIONS]\n"
	"\n"
	"Boots a Linux kernel in a new VM, with its console on this terminal.\n"
	"\n"
	"  -k, --kernel FILE   kernel to boot (x86_64: a bzImage, or an uncompressed ELF\n"
	"                      vmlinux, which skips the kernel's decompressor; arm64: an\n"
	"                      uncompressed Image); default: the default guest built by\n"
	"                      'make guest'\n"
	"                      (" LKVM_GUEST_DIR ")\n"
	"  -i, --initrd FILE   initial ramdisk\n"
	"  -p, --params TEXT   kernel command line, appended to lkvm's own\n"
	"                      (x86_64: 'console=ttyS0 reboot=acpi', arm64:\n"
	"                      'console=ttyAMA0 earlycon'); may be repeated; later\n"
	"                      values win\n"
	"  -d, --disk PATH[,ro][,direct][,serial=ID][,io=auto|uring|aio|sync]\n"
	"                      a raw disk image or block device as a virtio-blk disk\n"
	"                      (up to 16); io= picks the host I/O backend (auto: io_uring\n"
	"                      where the host has it, else aio)\n"
	"  -n, --network mode=user|tap|none[,mac=XX:XX:XX:XX:XX:XX][,hostfwd=tcp:HP-GP]\n"
	"                [,tapif=NAME][,vhost=auto|on|off]\n"
	"                [,fd=N]\n"
	"                      a virtio-net NIC (up to 8): user is libslirp (DHCP gives\n"
	"                      10.0.2.15; 10.0.2.2 is this host's 127.0.0.1), tap a tap\n"
	"                      device (or the open tap fd N), with vhost-net where\n"
	"                      /dev/vhost-net is usable; without -n the VM gets one\n"
	"                      mode=user NIC\n"
	"      --nodefaults    no NIC unless -n asks for one\n"
	"      --9p DIR[,TAG][,ro]\n"
	"                      share host directory DIR over virtio-9p (9P2000.L; up to\n"
	"                      8); the guest mounts it with 'mount -t 9p -o trans=virtio\n"
	"                      TAG /mnt' (TAG default hostshare); nothing outside DIR\n"
	"                      is reachable\n"
	"      --console serial|virtio\n"
	"                      the guest console on this terminal: the platform's UART\n"
	"                      (default) or virtio-console (hvc0)\n"
	"      --rng           a virtio-rng fed from getrandom(2)\n"
	"      --balloon       a virtio-balloon ('lkvm balloon' sets its size)\n"
	"      --vsock CID     a virtio-vsock with guest CID (3 and up), served by\n"
	"                      /dev/vhost-vsock\n"
	"      --virtio-transport pci|mmio\n"
	"                      how virtio devices attach: modern virtio-pci behind an\n"
	"                      ECAM host bridge with MSI-X (default), or virtio-mmio\n"
	"  -m, --mem SIZE      guest RAM in MiB, or with a suffix M/G/T (default 256)\n"
	"  -c, --cpus N        number of vCPUs (default 1)\n"
	"      --name NAME     the VM's name (default guest-PID), unique per user: the\n"
	"                      control socket is $XDG_RUNTIME_DIR/lkvm/NAME.sock, else\n"
	"                      ~/.lkvm/NAME.sock (see 'lkvm list')\n"
	"      --irqchip KIND  arm64: gicv3-its, gicv3 or gicv2 (default: the first\n"
	"                      of these that KVM offers)\n"
	"      --dump-dtb FILE arm64: write the guest's device tree to FILE and exit\n"
	"      --no-seccomp    run without lkvm's system call filters, which end lkvm\n"
	"                      when one of its threads makes a call it never should;\n"
	"                      for debugging such an exit only\n"
	"  -h, --help          print this text\n"
	"\n"
	"On the console, Ctrl-a x ends the VM and Ctrl-a Ctrl-a sends Ctrl-a.\n"
	"\n"
	"Exit status: 0 when the guest powers off or reboots; 1 when lkvm or KVM\n"
	"fails; 2 for a bad option or input file; 128+N when stopped by signal N;\n"
	"159 when a thread made a system call its seccomp filter forbids.\n";

static int fail(const struct err_msg *e)
{
	fprintf(stderr, "lkvm: %s\n", e->text);
	return e->usage ? VM_EXIT_USAGE : VM_EXIT_FAILURE;
}

/* Without -k, boot the default guest if it has been built. */
static int use_default_guest(struct vm_config *cfg, char *kernel, char *initrd, size_t len,
			     struct err_msg *e)
{
	const char *dir = getenv("LKVM_GUEST_DIR");

	if (!dir)
		dir = LKVM_GUEST_DIR;
	snprintf(kernel, len, "%s/vmlinuz-%s", dir, LKVM_ARCH);
	snprintf(initrd, len, "%s/initramfs-%s.cpio.gz", dir, LKVM_ARCH);
	if (access(kernel, R_OK))
		return err_usage(e, "no kernel given and no default guest at %s; pass -k, or build one with 'make guest'",
				 kernel);
	cfg->kernel = kernel;
	if (!cfg->initrd && !access(initrd, R_OK))
		cfg->initrd = initrd;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	char kernel[4096], initrd[4096];
	struct vm_config cfg;
	struct err_msg e = { 0 };
	struct vm vm;
	int status;

	config_init(&cfg);
	if (config_parse_run(&cfg, argc, argv, &e))
		return fail(&e);
	if (cfg.help) {
		fputs(usage_run, stdout);
		return 0;
	}
	cfg.control = !cfg.dump_dtb;
	if (!cfg.kernel && use_default_guest(&cfg, kernel, initrd, sizeof(kernel), &e))
		return fail(&e);
	if (vm_create(&vm, &cfg, &e)) {
		vm_destroy(&vm);
		return fail(&e);
	}
	if (cfg.dump_dtb) {
		/* vm_create wrote the device tree the guest would have booted with. */
		vm_destroy(&vm);
		return 0;
	}
	status = vm_run(&vm, &e);
	if (vm.exit_reason[0])
		fprintf(stderr, "\r\nlkvm: %s: %s\n", cfg.name, vm.exit_reason);
	else if (e.text[0])
		fprintf(stderr, "lkvm: %s\n", e.text);
	vm_destroy(&vm);
	return status;
}

static const char usage_sandbox[] =
	"usage: lkvm sandbox [RUN OPTIONS] [--root DIR] -- COMMAND [ARG...]\n"
	"\n"
	"Runs COMMAND in a throw-away guest (the default guest's kernel) whose root is\n"
	"this host's DIR (default /) over 9p: read-only, with the guest's writes in a\n"
	"tmpfs overlay that vanishes with it. COMMAND runs with the root's /bin/sh in\n"
	"this working directory, its output on this terminal. RUN OPTIONS are those of\n"
	"'lkvm run' (-m, -c, -d, -n, --9p, ...).\n"
	"\n"
	"Exit status: COMMAND's; 2 for a bad option; 125 when the sandbox itself\n"
	"failed (lkvm, KVM, or the guest did not report COMMAND's status); 159 when\n"
	"one of lkvm's threads made a system call its seccomp filter forbids\n"
	"(--no-seccomp turns the filters off, for debugging).\n";

#define SANDBOX_FAILED	125

/* Takes --root DIR out of the options; the rest are lkvm run's. */
static int sandbox_root_opt(int *argc, char **argv, const char **root, struct err_msg *e)
{
	int i, j = 0;
	const char *arg;

	for (i = 0; i < *argc; i++) {
		if (opt_matches(argv[i], 0, "root", true, &arg)) {
			if (!arg && i + 1 >= *argc)
				return err_usage(e, "option '--root' needs a directory");
			*root = arg ? arg : argv[++i];
			continue;
		}
		argv[j++] = argv[i];
	}
	*argc = j;
	return 0;
}

static int sandbox_boot(struct vm_config *cfg, struct sandbox *sb)
{
	struct err_msg e = { 0 };
	struct vm vm;
	int status;

	if (vm_create(&vm, cfg, &e)) {
		vm_destroy(&vm);
		fail(&e);
		return e.usage ? VM_EXIT_USAGE : SANDBOX_FAILED;
	}
	status = vm_run(&vm, &e);
	if (status != VM_EXIT_OK && vm.exit_reason[0])
		fprintf(stderr, "\r\nlkvm: %s: %s\n", cfg->name, vm.exit_reason);
	else if (status != VM_EXIT_OK && e.text[0])
		fprintf(stderr, "lkvm: %s\n", e.text);
	vm_destroy(&vm);
	if (status != VM_EXIT_OK)
		return status > 128 ? status : SANDBOX_FAILED;
	status = sandbox_status(sb);
	if (status < 0) {
		fprintf(stderr, "lkvm: sandbox: the guest did not report the command's exit status\n");
		return SANDBOX_FAILED;
	}
	return status;
}

static int cmd_sandbox(int argc, char **argv)
{
	char kernel[4096], initrd[4096];
	const char *root = "/";
	struct sandbox sb = { 0 };
	struct vm_config cfg;
	struct err_msg e = { 0 };
	int dash, n, status;

	for (dash = 0; dash < argc && strcmp(argv[dash], "--"); dash++)
		;
	n = dash;
	config_init(&cfg);
	if (sandbox_root_opt(&n, argv, &root, &e) || config_parse_run(&cfg, n, argv, &e))
		return fail(&e);
	if (cfg.help) {
		fputs(usage_sandbox, stdout);
		return 0;
	}
	cfg.control = true;
	if ((!cfg.kernel && use_default_guest(&cfg, kernel, initrd, sizeof(kernel), &e)) ||
	    sandbox_prepare(&sb, &cfg, root, dash < argc ? argc - dash - 1 : 0, argv + dash + 1, &e)) {
		sandbox_cleanup(&sb);
		return fail(&e);
	}
	status = sandbox_boot(&cfg, &sb);
	sandbox_cleanup(&sb);
	return status;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	/*
	 * lkvm needs only /dev/kvm (and tap/vhost devices when asked); a set-uid
	 * lkvm would hand a guest's host-side reach to whoever runs it.
	 */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fprintf(stderr, "lkvm: refusing to run set-uid or set-gid; give the user access to /dev/kvm instead (the kvm group)\n");
		return VM_EXIT_USAGE;
	}

	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(cmd, "sandbox"))
		return cmd_sandbox(argc - 2, argv + 2);
	if (control_cli_has(cmd)) {
		struct err_msg e = { 0 };
		int status = control_cli(cmd, argc - 2, argv + 2, stdout, &e);

		if (status && e.text[0])
			fprintf(stderr, "lkvm: %s\n", e.text);
		return status;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("lkvm %s (%s)\n", LKVM_VERSION, LKVM_ARCH);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(usage_main, stdout);
		return 0;
	}
	fprintf(stderr, "lkvm: unknown command '%s'; see 'lkvm help'\n", cmd);
	return VM_EXIT_USAGE;
}
