// SPDX-License-Identifier: GPL-2.0
/* Parsing of -n/--network: the syntax kvmtool and QEMU users expect, checked strictly. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_config.h"

#define NET_OPTS_HINT	"give mode=user|tap|none, tapif=NAME, fd=N, vhost=auto|on|off, mac=XX:XX:XX:XX:XX:XX or hostfwd=tcp:HOSTPORT-GUESTPORT"

static int parse_mac(const char *s, u8 mac[6])
{
	unsigned int i;

	for (i = 0; i < 6; i++, s += 3) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]) ||
		    s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		mac[i] = strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
	}
	return 0;
}

static int parse_port(const char *s, u16 *port)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || !v || v > 65535)
		return -EINVAL;
	*port = v;
	return 0;
}

/* "[ADDR:]PORT"; an empty ADDR keeps *addr. */
static int parse_endpoint(char *s, u32 *addr, u16 *port)
{
	char *colon = strrchr(s, ':');
	struct in_addr a;

	if (colon) {
		*colon = '\0';
		if (*s) {
			if (inet_pton(AF_INET, s, &a) != 1)
				return -EINVAL;
			*addr = a.s_addr;
		}
		s = colon + 1;
	}
	return parse_port(s, port);
}

/* A decimal file descriptor: digits only, no sign, no more than an int holds. */
static int parse_fd(const char *s, int *fd)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || v > INT_MAX)
		return -EINVAL;
	*fd = v;
	return 0;
}

static int parse_hostfwd(const char *rule, struct net_hostfwd *f)
{
	char buf[64], *dash;

	memset(f, 0, sizeof(*f));
	f->host_addr = htonl(INADDR_LOOPBACK);
	if (!strncmp(rule, "tcp:", 4)) {
		rule += 4;
	} else if (!strncmp(rule, "udp:", 4)) {
		f->udp = true;
		rule += 4;
	}
	if (strlen(rule) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, rule);
	dash = strchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (parse_endpoint(buf, &f->host_addr, &f->host_port) ||
	    parse_endpoint(dash + 1, &f->guest_addr, &f->guest_port))
		return -EINVAL;
	return 0;
}

/* An interface name the kernel would take: no '/', no space, not "." or "..". */
static bool ifname_ok(const char *s)
{
	if (!*s || strlen(s) >= NET_IFNAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return false;
	return true;
}

static int parse_mode(const char *v, struct net_config *c, struct err_msg *e)
{
	if (!strcmp(v, "user"))
		c->mode = NET_MODE_USER;
	else if (!strcmp(v, "tap"))
		c->mode = NET_MODE_TAP;
	else if (!strcmp(v, "none"))
		c->mode = NET_MODE_NONE;
	else
		return err_usage(e, "network mode '%s': give mode=user, mode=tap or mode=none", v);
	return 0;
}

static int parse_vhost(const char *v, struct net_config *c, struct err_msg *e)
{
	if (!strcmp(v, "auto"))
		c->vhost = NET_VHOST_AUTO;
	else if (!strcmp(v, "on"))
		c->vhost = NET_VHOST_ON;
	else if (!strcmp(v, "off"))
		c->vhost = NET_VHOST_OFF;
	else
		return err_usage(e, "network vhost='%s': give vhost=auto, vhost=on or vhost=off", v);
	return 0;
}

static int parse_sub(char *o, struct net_config *c, struct err_msg *e)
{
	char *v = strchr(o, '=');

	if (!v)
		return err_usage(e, "network option '%s' has no value; %s", o, NET_OPTS_HINT);
	*v++ = '\0';
	if (!strcmp(o, "mode"))
		return parse_mode(v, c, e);
	if (!strcmp(o, "vhost"))
		return parse_vhost(v, c, e);
	if (!strcmp(o, "tapif")) {
		if (!ifname_ok(v))
			return err_usage(e, "network tapif='%s': give an interface name of 1-15 characters without '/', ':' or spaces",
					 v);
		strcpy(c->tapif, v);
		return 0;
	}
	if (!strcmp(o, "fd")) {
		if (parse_fd(v, &c->fd))
			return err_usage(e, "network fd='%s': give the number of an open tap file descriptor lkvm inherits, like fd=3",
					 v);
		c->has_fd = true;
		return 0;
	}
	if (!strcmp(o, "mac") || !strcmp(o, "guest_mac")) {
		if (parse_mac(v, c->mac) || (c->mac[0] & 1) || !memcmp(c->mac, "\0\0\0\0\0\0", 6))
			return err_usage(e, "network mac='%s': give a unicast MAC like 02:00:00:12:34:56", v);
		c->mac_set = true;
		return 0;
	}
	if (!strcmp(o, "hostfwd")) {
		if (c->nr_fwd == NET_MAX_HOSTFWD)
			return err_usage(e, "network hostfwd='%s': at most %u rules per NIC; drop one", v,
					 NET_MAX_HOSTFWD);
		if (parse_hostfwd(v, &c->fwd[c->nr_fwd]))
			return err_usage(e, "network hostfwd='%s': give tcp:HOSTPORT-GUESTPORT or [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
					 v);
		c->nr_fwd++;
		return 0;
	}
	return err_usage(e, "unknown network option '%s'; %s", o, NET_OPTS_HINT);
}

/* Options that mean nothing for the chosen mode are mistakes, not silently dropped. */
static int check_mode(const struct net_config *c, struct err_msg *e)
{
	if (c->mode != NET_MODE_TAP && (c->tapif[0] || c->has_fd || c->vhost != NET_VHOST_AUTO))
		return err_usage(e, "network: tapif=, fd= and vhost= are for mode=tap; add mode=tap or drop them");
	if (c->tapif[0] && c->has_fd)
		return err_usage(e, "network: fd=%d and tapif=%s both name the tap; give one of them",
				 c->fd, c->tapif);
	if (c->mode != NET_MODE_USER && c->nr_fwd)
		return err_usage(e, "network: hostfwd= is for mode=user; drop it or use mode=user");
	if (c->mode == NET_MODE_NONE && c->mac_set)
		return err_usage(e, "network: mode=none has no NIC to give mac= to; drop mac=");
	return 0;
}

int net_config_parse(const char *arg, struct net_config *c, struct err_msg *e)
{
	char buf[1024], *o, *next;
	int ret;

	memset(c, 0, sizeof(*c));
	if (strlen(arg) >= sizeof(buf))
		return err_usage(e, "network options '%.40s...' are longer than %zu bytes; shorten them",
				 arg, sizeof(buf) - 1);
	strcpy(buf, arg);
	for (o = buf; o; o = next) {
		next = strchr(o, ',');
		if (next)
			*next++ = '\0';
		if (!*o)
			return err_usage(e, "network '%s': an empty option; %s", arg, NET_OPTS_HINT);
		ret = parse_sub(o, c, e);
		if (ret)
			return ret;
	}
	return check_mode(c, e);
}
