/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * rvs: a layer-4 load balancer for Linux, written in Rust.
 *
 * This header is the one definition of rvs's control ABI: the socket options an
 * administration tool (rvsadm) passes to setsockopt()/getsockopt() at level IPPROTO_IP on an
 * AF_INET or AF_INET6 socket of any type, and the structures they carry. The module's Rust
 * view is checked against it at build time and rvsadm's by a host test.
 *
 * Differences from ip_vs's socket options (include/uapi/linux/ip_vs.h):
 *  - rvs has its own option range (RVS_BASE_CTL), so ip_vs and rvs can be loaded together;
 *  - every address is 16 bytes wide with an explicit address family, so IPv6 services and
 *    real servers are managed through the same calls as IPv4 ones;
 *  - every structure has explicit padding and 64-bit counters, so its layout is the same on
 *    every architecture.
 * Addresses and ports are in network byte order; every other field is in host byte order.
 * An IPv4 address occupies the first 4 bytes of its 16-byte field, the rest being zero.
 */
#ifndef _UAPI_LINUX_RVS_H
#define _UAPI_LINUX_RVS_H

#include <linux/types.h>

/* Version of the control ABI and module: major << 16 | minor << 8 | patch. */
#define RVS_VERSION_CODE	0x000100
#define RVS_VERSION_MAJOR(v)	(((v) >> 16) & 0xff)
#define RVS_VERSION_MINOR(v)	(((v) >> 8) & 0xff)
#define RVS_VERSION_PATCH(v)	((v) & 0xff)

#define RVS_SCHEDNAME_MAXLEN	16
#define RVS_PENAME_MAXLEN	16
#define RVS_IFNAME_MAXLEN	16

/* Service flags, as ip_vs's IP_VS_SVC_F_*. */
#define RVS_SVC_F_PERSISTENT	0x0001
#define RVS_SVC_F_ONEPACKET	0x0004
#define RVS_SVC_F_SCHED1	0x0008
#define RVS_SVC_F_SCHED2	0x0010
#define RVS_SVC_F_SCHED3	0x0020

/* Forwarding methods, in the low bits of a destination's conn_flags, as IP_VS_CONN_F_*. */
#define RVS_CONN_F_FWD_MASK	0x0007
#define RVS_CONN_F_MASQ		0x0000
#define RVS_CONN_F_LOCALNODE	0x0001
#define RVS_CONN_F_TUNNEL	0x0002
#define RVS_CONN_F_DROUTE	0x0003

/* Tunnel types, as IP_VS_CONN_F_TUNNEL_TYPE_*. */
#define RVS_TUNNEL_TYPE_IPIP	0
#define RVS_TUNNEL_TYPE_GUE	1
#define RVS_TUNNEL_TYPE_GRE	2

/* Sync daemon states. */
#define RVS_STATE_NONE		0x0000
#define RVS_STATE_MASTER	0x0001
#define RVS_STATE_BACKUP	0x0002

/*
 * Socket option numbers. ip_vs uses 1152..1167; rvs starts above that. Set and get
 * numbers overlap, as they do for ip_vs: the direction tells them apart.
 */
#define RVS_BASE_CTL		(64 + 1024 + 64 + 128)	/* 1280 */

#define RVS_SO_SET_ADD		(RVS_BASE_CTL + 0)	/* struct rvs_service_user */
#define RVS_SO_SET_EDIT		(RVS_BASE_CTL + 1)	/* struct rvs_service_user */
#define RVS_SO_SET_DEL		(RVS_BASE_CTL + 2)	/* struct rvs_service_user */
#define RVS_SO_SET_FLUSH	(RVS_BASE_CTL + 3)	/* no argument */
#define RVS_SO_SET_ADDDEST	(RVS_BASE_CTL + 4)	/* struct rvs_service_dest_user */
#define RVS_SO_SET_DELDEST	(RVS_BASE_CTL + 5)	/* struct rvs_service_dest_user */
#define RVS_SO_SET_EDITDEST	(RVS_BASE_CTL + 6)	/* struct rvs_service_dest_user */
#define RVS_SO_SET_TIMEOUT	(RVS_BASE_CTL + 7)	/* struct rvs_timeout_user */
#define RVS_SO_SET_STARTDAEMON	(RVS_BASE_CTL + 8)	/* struct rvs_daemon_user */
#define RVS_SO_SET_STOPDAEMON	(RVS_BASE_CTL + 9)	/* struct rvs_daemon_user */
#define RVS_SO_SET_ZERO		(RVS_BASE_CTL + 10)	/* struct rvs_service_user */
#define RVS_SO_SET_MAX		RVS_SO_SET_ZERO

#define RVS_SO_GET_INFO		(RVS_BASE_CTL + 0)	/* struct rvs_getinfo */
#define RVS_SO_GET_SERVICES	(RVS_BASE_CTL + 1)	/* struct rvs_get_services */
#define RVS_SO_GET_SERVICE	(RVS_BASE_CTL + 2)	/* struct rvs_service_entry */
#define RVS_SO_GET_DESTS	(RVS_BASE_CTL + 3)	/* struct rvs_get_dests */
#define RVS_SO_GET_TIMEOUT	(RVS_BASE_CTL + 4)	/* struct rvs_timeout_user */
#define RVS_SO_GET_DAEMON	(RVS_BASE_CTL + 5)	/* struct rvs_daemon_user[2] */
#define RVS_SO_GET_MAX		RVS_SO_GET_DAEMON

/* A virtual service: <af, protocol, addr, port>, or a firewall mark when fwmark != 0. */
struct rvs_service_user {
	__u16	af;			/* AF_INET or AF_INET6 */
	__u16	protocol;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP */
	__be16	port;
	__u16	__pad0;
	__u8	addr[16];
	__u32	fwmark;
	__u32	flags;			/* RVS_SVC_F_* */
	__u32	timeout;		/* persistence timeout, seconds */
	__u32	netmask;		/* IPv4: mask, network order; IPv6: prefix length */
	char	sched_name[RVS_SCHEDNAME_MAXLEN];
	char	pe_name[RVS_PENAME_MAXLEN];
};

/* A real server of a service. */
struct rvs_dest_user {
	__u16	af;			/* 0: the service's family */
	__be16	port;
	__u8	addr[16];
	__u32	conn_flags;		/* RVS_CONN_F_* forwarding method */
	__s32	weight;			/* 0..65535 */
	__u32	u_threshold;		/* upper connection threshold, 0 = none */
	__u32	l_threshold;		/* lower connection threshold */
	__u8	tun_type;		/* RVS_TUNNEL_TYPE_* */
	__u8	__pad0;
	__be16	tun_port;
	__u16	tun_flags;
	__u16	__pad1;
	__u32	__pad2;
};

/* The argument of RVS_SO_SET_ADDDEST, _DELDEST and _EDITDEST. */
struct rvs_service_dest_user {
	struct rvs_service_user	svc;
	struct rvs_dest_user	dest;
};

/* Counters since the last zeroing, and rates from the estimator. */
struct rvs_stats_user {
	__u64	conns;
	__u64	inpkts;
	__u64	outpkts;
	__u64	inbytes;
	__u64	outbytes;
	__u64	cps;
	__u64	inpps;
	__u64	outpps;
	__u64	inbps;
	__u64	outbps;
};

/* The reply of RVS_SO_GET_INFO. */
struct rvs_getinfo {
	__u32	version;		/* RVS_VERSION_CODE of the running module */
	__u32	conn_tab_size;		/* buckets in the connection hash table */
	__u32	num_services;		/* services in the caller's network namespace */
	__u32	__pad0;
};

/* One service in the reply of RVS_SO_GET_SERVICES or RVS_SO_GET_SERVICE. */
struct rvs_service_entry {
	struct rvs_service_user	svc;
	__u32			num_dests;
	__u32			__pad0;
	struct rvs_stats_user	stats;
};

/* One real server in the reply of RVS_SO_GET_DESTS. */
struct rvs_dest_entry {
	struct rvs_dest_user	dest;
	__u32			activeconns;
	__u32			inactconns;
	__u32			persistconns;
	__u32			__pad0;
	struct rvs_stats_user	stats;
};

/* RVS_SO_GET_SERVICES: the caller sets num_services, the size of entrytable. */
struct rvs_get_services {
	__u32			num_services;
	__u32			__pad0;
	struct rvs_service_entry entrytable[];
};

/* RVS_SO_GET_DESTS: the caller names the service and sets num_dests. */
struct rvs_get_dests {
	struct rvs_service_user	svc;
	__u32			num_dests;
	__u32			__pad0;
	struct rvs_dest_entry	entrytable[];
};

/* Timeouts in seconds of established TCP, closing TCP and UDP entries; 0 = unchanged. */
struct rvs_timeout_user {
	__s32	tcp_timeout;
	__s32	tcp_fin_timeout;
	__s32	udp_timeout;
};

/* A connection sync daemon. */
struct rvs_daemon_user {
	__s32	state;			/* RVS_STATE_MASTER or RVS_STATE_BACKUP */
	char	mcast_ifn[RVS_IFNAME_MAXLEN];
	__s32	syncid;
};

#endif /* _UAPI_LINUX_RVS_H */
