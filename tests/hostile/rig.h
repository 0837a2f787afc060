/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hostile tests' rig: a real VM on the local /dev/kvm whose only
 * guest code is a small script interpreter in 32-bit protected mode. The
 * test writes a script of MMIO and port accesses into guest RAM; the vCPU
 * performs them (real KVM exits, ioeventfds, irqfds) and waits for the
 * next one. Rings and buffers are written straight into guest RAM, as a
 * driver in the guest would write them.
 */
#ifndef LKVM_TESTS_HOSTILE_RIG_H
#define LKVM_TESTS_HOSTILE_RIG_H

#include <check.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_pci.h>
#include <linux/virtio_ring.h>

#include "core/vm.h"

/* Guest RAM layout. */
#define RIG_MEM_MIB		16
#define RIG_RAM_END		((u64)RIG_MEM_MIB << 20)
#define RIG_CODE_GPA		0x1000
#define RIG_MAILBOX_GPA		0xf00		/* seq (ours), done and progress (the guest's) */
#define RIG_SCRIPT_GPA		0x10000
#define RIG_SCRIPT_MAX		((0x80000 - RIG_SCRIPT_GPA) / sizeof(struct gop))
#define RIG_RINGS_GPA		0x100000	/* 64 KiB of rings per device */
#define RIG_RING_STRIDE		0x10000
#define RIG_SCRATCH_GPA		0x200000	/* for tests to place odd things */
#define RIG_DATA_GPA		0x400000	/* buffers, handed out by rig_alloc() */
#define RIG_SLEEP_PORT		0x12		/* the guest idles by reading it */

#define RIG_MAX_DEVS		8
#define RIG_MAX_QUEUES		3
#define RIG_DISK_SIZE		(1024 * 1024)

#define S_ACK			VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRIVER		VIRTIO_CONFIG_S_DRIVER
#define S_FEATURES_OK		VIRTIO_CONFIG_S_FEATURES_OK
#define S_DRIVER_OK		VIRTIO_CONFIG_S_DRIVER_OK
#define S_NEEDS_RESET		VIRTIO_CONFIG_S_NEEDS_RESET
#define F_VERSION_1		(1ULL << VIRTIO_F_VERSION_1)

/* virtio-pci's BAR 0 (virtio/pci.c): common config, ISR, device config, notify, MSI-X. */
#define COMMON(f)		offsetof(struct virtio_pci_common_cfg, f)
#define PCI_ISR_OFF		0x1000
#define PCI_DEVICE_OFF		0x2000
#define PCI_NOTIFY_OFF		0x3000
#define PCI_NOTIFY_MULT		4
#define PCI_MSIX_TABLE_OFF	0x4000
#define PCI_MSIX_PBA_OFF	0x5000
#define PCI_BAR_SIZE		0x8000

/* One step of a guest script (the interpreter's layout). */
struct gop {
	u32 op;
	u32 addr;		/* MMIO address or port */
	u32 count;		/* repetitions; 0 means 1 */
	u32 stride;		/* added to addr after each repetition */
	u64 val;		/* written, or what the last read returned */
};

enum gop_code {
	GOP_END, GOP_W8, GOP_W16, GOP_W32, GOP_W64, GOP_R8, GOP_R16, GOP_R32, GOP_R64,
	GOP_OUT8, GOP_OUT16, GOP_OUT32, GOP_IN8, GOP_IN16, GOP_IN32, GOP_POWEROFF,
};

/* The driver's view of one split virtqueue. */
struct rq {
	u16 size;
	u64 desc, avail, used;
	u16 avail_idx;
	u16 used_seen;
	u16 next_desc;
};

struct rig;

struct rdev {
	struct rig *rig;
	u32 id;			/* VIRTIO_ID_* */
	u64 base;		/* virtio-mmio window, or BAR 0 */
	u8 slot;		/* PCI slot */
	unsigned int nr_queues;
	u16 max_size;
	u64 features;		/* what rig_dev_up() negotiates */
	struct rq q[RIG_MAX_QUEUES];
};

struct rig {
	struct vm vm;
	pthread_t thread;
	int status;
	bool pci;
	struct rdev devs[RIG_MAX_DEVS];
	unsigned int nr_devs;
	char disk[2][32];
	char share[32];
	u32 seq;
	unsigned int nops;
	u64 next_data;
};

/* A buffer of a chain: guest address, length, device-writable or not. */
struct seg {
	u64 gpa;
	u32 len;
	bool w;
};

/*
 * A VM with two disks (a 1 MiB pattern each), a NIC (with libslirp), a
 * 9p share, virtio-rng and virtio-balloon on virtio-mmio or virtio-pci,
 * every device brought up by the guest.
 */
struct rig *rig_new(bool pci);
/* The guest powers off: lkvm must still be serving it. Frees the rig. */
void rig_end(struct rig *r);
/* A hostile program's main(): runs s, or skips (77) where /dev/kvm is not usable. */
int rig_main(Suite *s);

struct rdev *rig_dev(struct rig *r, u32 id, unsigned int nth);
/* Byte off of disk 0 or 1 as the rig writes them. */
u8 rig_disk_byte(unsigned int disk, u64 off);
double rig_now(void);
/* lkvm's own object behind d, for tests that must hold its lock. */
struct virtio_dev *rig_virtio_dev(struct rdev *d);
void *rig_ptr(struct rig *r, u64 gpa, u64 len);
u64 rig_alloc(struct rig *r, u64 len);

/* Scripts: appended, then run by the guest; rig_run() waits for the end. */
unsigned int g_op(struct rig *r, u32 op, u64 addr, u64 val, u32 count, u32 stride);
void g_w(struct rig *r, unsigned int width, u64 addr, u64 val);
unsigned int g_r(struct rig *r, unsigned int width, u64 addr);
void rig_run(struct rig *r);
/* Runs the script but does not wait for the guest to finish it. */
void rig_run_async(struct rig *r);
void rig_wait(struct rig *r, int timeout_ms);
u64 g_result(struct rig *r, unsigned int idx);

/* The driver, as script steps. */
void drv_status(struct rdev *d, u8 status);
u8 drv_read_status(struct rdev *d);
void drv_features(struct rdev *d, u64 features);
void drv_queue(struct rdev *d, unsigned int q, u16 size, u64 desc, u64 avail, u64 used);
void drv_kick(struct rdev *d, unsigned int q);
u64 drv_notify_addr(struct rdev *d, unsigned int q);
/* Reset, features, every queue at its usual place, DRIVER_OK; runs the script. */
void rig_dev_up(struct rdev *d);
/* PCI config space of slot, through ECAM. */
u64 ecam(struct rig *r, unsigned int slot, unsigned int reg);
/* Where d's capability id (and virtio cfg_type, for vendor ones) sits; 0 if absent. */
u8 rig_pci_cap(struct rdev *d, u8 id, u8 cfg_type);

/* Chains, written into guest RAM. */
u16 post(struct rdev *d, unsigned int q, const struct seg *s, unsigned int n);
void set_desc(struct rdev *d, unsigned int q, u16 i, u64 addr, u32 len, u16 flags, u16 next);
void publish(struct rdev *d, unsigned int q, u16 head);
bool wait_used(struct rdev *d, unsigned int q, u32 *id, u32 *len, int timeout_ms);
u16 used_idx(struct rdev *d, unsigned int q);
/*
 * Kicks queue q; the device must return a chain within 5 s ("<what> was
 * never returned" if not). Its used length; its head in *id unless NULL.
 */
u32 kick_and_wait(struct rdev *d, unsigned int q, u32 *id, const char *what);
/* Posts s as one chain on queue q and kicks it: the device must return that chain. */
u32 send_chain(struct rdev *d, unsigned int q, const struct seg *s, unsigned int n,
	       const char *what);

/* Assertions. */
void assert_needs_reset(struct rdev *d);
void assert_running(struct rdev *d);
/*
 * The devices other than victim (which may be NULL) still serve: an rng
 * request and a read of the second disk, or a 9p Tversion for the one that
 * is the victim.
 */
void assert_healthy(struct rig *r, const struct rdev *victim);
/* The driver resets d and brings it up again; one request then works. */
void assert_recovers(struct rdev *d);
/* How a test ends: the devices but victim serve (assert_healthy()), then rig_end(). */
void rig_end_healthy(struct rig *r, const struct rdev *victim);
/* The same, with victim recovering (assert_recovers()) before the end. */
void rig_end_recovered(struct rig *r, struct rdev *victim);

/* Per-device round trips, guest-kicked. */
void rng_roundtrip(struct rdev *d);
void blk_roundtrip(struct rdev *d, unsigned int disk);
u16 blk_post_read(struct rdev *d, u64 sector, u64 data, u32 len, u64 *status_gpa);
void p9_roundtrip(struct rdev *d);
u32 p9_version(u8 *buf, u16 tag, u32 msize);

/* 9P messages built by hand, little-endian (the guest's byte order is ours). */
struct p9msg {
	u8 b[1024];
	u32 len;
};

void p9_begin(struct p9msg *m, u8 type, u16 tag);
void p9_u8(struct p9msg *m, u8 v);
void p9_u16(struct p9msg *m, u16 v);
void p9_u32(struct p9msg *m, u32 v);
void p9_u64(struct p9msg *m, u64 v);
void p9_s(struct p9msg *m, const char *s);
/* Fills in the size field; returns the length. */
u32 p9_end(struct p9msg *m);
/* Sends m with a reply buffer of cap bytes; returns the reply, in guest RAM. */
const u8 *p9_call(struct rdev *d, const struct p9msg *m, u32 cap, u32 *len);
/* Tversion (msize), Tattach as fid 1, then fid walked to name and opened read-only. */
void p9_open(struct rdev *d, u32 msize, const char *name, u32 fid);

/*
 * For a guest acting while the 9p device's thread still has requests to
 * complete: starts n (at most 127) reads of 256 KiB and returns, holding
 * the device's lock, once the thread is serving them (its next reply
 * waits for the lock); returns the used index they started from. The
 * test then adds script steps; rig_release_reads() runs them and lets go
 * of the lock. It is true when requests were still in flight when the
 * guest was done (on a busy host the thread may win the race: try again).
 */
u16 rig_hold_reads(struct rdev *d, unsigned int n);
bool rig_release_reads(struct rdev *d, u16 start, unsigned int n, u16 *stopped);

#endif
