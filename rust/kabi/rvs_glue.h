/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only C interface rvs's Rust code sees. bindgen reads this file (see Kbuild), so the
 * Rust declarations always match these prototypes. rvs_glue.c implements the rvs_glue_*
 * functions: wrappers of static inline functions and macros, and the static ops tables of
 * netfilter, nf_sockopt, pernet, proc and sysctl whose callbacks call the rvs_rust_* functions
 * that the Rust crate defines.
 */
#ifndef RVS_GLUE_H
#define RVS_GLUE_H

#include <linux/types.h>
#include <linux/skbuff.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>

#include "../../include/uapi/linux/rvs.h"

/* Which hook function a packet arrived at. */
enum rvs_hook {
	RVS_HOOK_IN = 0,	/* LOCAL_IN, priority 100: requests to a virtual service */
	RVS_HOOK_OUT = 1,	/* FORWARD, priority 100: replies of NAT real servers */
	RVS_HOOK_FWD_ICMP = 2,	/* FORWARD, priority 99: ICMP errors about forwarded flows */
	RVS_HOOK_POST = 3,	/* POST_ROUTING, NF_IP_PRI_NAT_SRC - 1: keep netfilter NAT off rvs packets */
};

/* Which /proc/net file is being read. */
enum rvs_proc_file {
	RVS_PROC_SERVICES = 0,	/* /proc/net/rvs */
	RVS_PROC_STATS = 1,	/* /proc/net/rvs_stats */
	RVS_PROC_CONN = 2,	/* /proc/net/rvs_conn */
};

/* Largest getsockopt() buffer the glue copies in; larger requests get -EINVAL. */
#define RVS_GLUE_MAX_GET_LEN	(1U << 20)
/* Largest setsockopt() argument. */
#define RVS_GLUE_MAX_SET_LEN	sizeof(struct rvs_service_dest_user)

/* Module-wide registrations, each undone by its counterpart. */
int rvs_glue_register_sockopt(void);
void rvs_glue_unregister_sockopt(void);
int rvs_glue_register_pernet_state(void);
void rvs_glue_unregister_pernet_state(void);
int rvs_glue_register_pernet_hooks(void);
void rvs_glue_unregister_pernet_hooks(void);

/* The module parameter conn_tab_bits. */
int rvs_glue_conn_tab_bits(void);

/* The per-namespace state pointer (net_generic slot). */
void *rvs_glue_net_state(const struct net *net);
void rvs_glue_set_net_state(const struct net *net, void *state);

/* /proc/net/rvs, rvs_stats and rvs_conn of one namespace. */
int rvs_glue_proc_create(struct net *net);
void rvs_glue_proc_remove(struct net *net);
void rvs_glue_seq_write(struct seq_file *m, const char *buf, size_t len);

/* /proc/sys/net/ipv4/rvs of one namespace; the ints must outlive the registration. */
struct ctl_table_header *rvs_glue_sysctl_register(struct net *net, int *debug_level,
						  int *conn_tab_size);
void rvs_glue_sysctl_unregister(struct ctl_table_header *header);

/* Slab caches and the connection hash table. */
struct kmem_cache *rvs_glue_kmem_cache_create(const char *name, unsigned int size,
					      unsigned int align);
struct hlist_head *rvs_glue_hash_alloc(unsigned int buckets);
void rvs_glue_hash_free(struct hlist_head *table);
bool rvs_glue_hash_bucket_empty(const struct hlist_head *table, unsigned int bucket);

/* RCU. */
void rvs_glue_rcu_barrier(void);

/* Implemented in Rust. */
int rvs_rust_net_init(struct net *net);
void rvs_rust_net_exit(struct net *net);
unsigned int rvs_rust_hook(enum rvs_hook hook, struct sk_buff *skb, u8 pf, struct net *net);
int rvs_rust_proc_show(struct seq_file *m, struct net *net, enum rvs_proc_file file);
int rvs_rust_set(struct net *net, bool admin, int cmd, const u8 *arg, unsigned int len);
int rvs_rust_get(struct net *net, bool admin, int cmd, u8 *buf, unsigned int len,
		 unsigned int *out_len);

#endif /* RVS_GLUE_H */
