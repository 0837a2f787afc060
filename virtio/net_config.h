/* SPDX-License-Identifier: GPL-2.0 */
#ifndef LKVM_VIRTIO_NET_CONFIG_H
#define LKVM_VIRTIO_NET_CONFIG_H

#include "../core/util.h"

#define NET_IFNAME_MAX		16	/* IFNAMSIZ, with the NUL */
#define NET_MAX_HOSTFWD		8

enum net_mode { NET_MODE_USER, NET_MODE_TAP, NET_MODE_NONE };
enum net_vhost { NET_VHOST_AUTO, NET_VHOST_ON, NET_VHOST_OFF };

/* hostfwd=[tcp|udp]:[HOSTADDR:]HOSTPORT-[GUESTADDR:]GUESTPORT; addresses in network order. */
struct net_hostfwd {
	bool udp;
	u32 host_addr;			/* default 127.0.0.1: not exposed beyond this host */
	u16 host_port;
	u32 guest_addr;			/* 0: the address DHCP hands out */
	u16 guest_port;
};

/*
 * One -n/--network argument:
 * mode=user|tap|none[,tapif=NAME|fd=N][,vhost=auto|on|off][,mac=XX:XX:XX:XX:XX:XX]
 * [,hostfwd=RULE]...
 */
struct net_config {
	enum net_mode mode;
	char tapif[NET_IFNAME_MAX];	/* "": the kernel picks a name */
	bool has_fd;
	int fd;				/* a tap lkvm inherits open (IFF_TAP | IFF_NO_PI) */
	enum net_vhost vhost;
	bool mac_set;
	u8 mac[6];
	struct net_hostfwd fwd[NET_MAX_HOSTFWD];
	unsigned int nr_fwd;
};

/* Pure: looks at no device; -EINVAL with e naming the bad value and the fix. */
int net_config_parse(const char *arg, struct net_config *c, struct err_msg *e);

#endif
