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
#include <linux/spinlock.h>
#include <linux/in6.h>
#include <net/net_namespace.h>
#include <net/dst.h>

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

/* RCU. */
void rvs_glue_rcu_barrier(void);
void rvs_glue_rcu_read_lock(void);
void rvs_glue_rcu_read_unlock(void);
void rvs_glue_synchronize_rcu(void);

/* Spinlocks taken from process context and softirq alike. */
void rvs_glue_spin_lock_bh(spinlock_t *lock);
void rvs_glue_spin_unlock_bh(spinlock_t *lock);
/* An array of n initialised spinlocks (one lock class), kvmalloc'ed. */
spinlock_t *rvs_glue_locks_alloc(unsigned int n);
void rvs_glue_locks_free(spinlock_t *locks);

/* Time. */
u64 rvs_glue_jiffies(void);
unsigned int rvs_glue_hz(void);
void rvs_glue_cond_resched(void);

/* RCU hash chains of the connection table. */
void rvs_glue_hash_add_rcu(struct hlist_head *table, unsigned int bucket, struct hlist_node *n);
void rvs_glue_hash_del_rcu(struct hlist_node *n);
struct hlist_node *rvs_glue_hash_first_rcu(struct hlist_head *table, unsigned int bucket);
struct hlist_node *rvs_glue_hash_next_rcu(struct hlist_node *n);
/* The same for a writer that holds the bucket's lock (no read-side section needed). */
struct hlist_node *rvs_glue_hash_first_locked(struct hlist_head *table, unsigned int bucket);
struct hlist_node *rvs_glue_hash_next_locked(struct hlist_node *n);

/* Slab objects: allocation in atomic context, and freeing after a grace period. */
void *rvs_glue_kmem_cache_alloc_atomic(struct kmem_cache *cache);
void rvs_glue_kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Queues func(head) after a grace period. */
void rvs_glue_call_rcu(struct rcu_head *head, rcu_callback_t func);

/* The connection table's periodic collector: rvs_rust_conn_gc() every second. */
void rvs_glue_gc_start(void);
void rvs_glue_gc_stop(void);

/* Packets. Offsets and lengths count from the network header. */
unsigned int rvs_glue_skb_len(const struct sk_buff *skb);
bool rvs_glue_skb_for_host(const struct sk_buff *skb);
bool rvs_glue_skb_handled(const struct sk_buff *skb);
void rvs_glue_skb_set_handled(struct sk_buff *skb);
unsigned int rvs_glue_skb_copy_head(const struct sk_buff *skb, u8 *buf, unsigned int len);
u8 *rvs_glue_skb_writable(struct sk_buff *skb, unsigned int len);
bool rvs_glue_skb_csum_partial(const struct sk_buff *skb);
void rvs_glue_skb_csum_mangled(struct sk_buff *skb);
bool rvs_glue_skb_fits_mtu(const struct sk_buff *skb, unsigned int mtu);
void rvs_glue_skb_untrack(struct sk_buff *skb);
u8 *rvs_glue_skb_encap(struct sk_buff *skb, unsigned int hdr_len, bool outer_v6, u8 inner_proto);
void rvs_glue_icmp_send(struct sk_buff *skb, bool v6, u8 type, u8 code, u32 info);

/* Routes to real servers; the dst_entry reference belongs to the caller. */
struct dst_entry *rvs_glue_route4(struct net *net, __be32 daddr, bool known_nh, __be32 *saddr,
				  unsigned int *mtu, bool *local);
struct dst_entry *rvs_glue_route6(struct net *net, const u8 *daddr, bool known_nh, u8 *saddr,
				  unsigned int *mtu, bool *local);
void rvs_glue_dst_release(struct dst_entry *dst);
/* Gives the skb the route (and the caller's reference), dropping its old one. */
void rvs_glue_skb_set_dst(struct sk_buff *skb, struct dst_entry *dst);
/* Marks the skb handled and sends it through LOCAL_OUT; consumes it. */
void rvs_glue_send(struct net *net, bool v6, struct sk_buff *skb);

/* Implemented in Rust. */
int rvs_rust_net_init(struct net *net);
void rvs_rust_net_exit(struct net *net);
unsigned int rvs_rust_hook(enum rvs_hook hook, struct sk_buff *skb, u8 pf, struct net *net);
int rvs_rust_proc_show(struct seq_file *m, struct net *net, enum rvs_proc_file file);
int rvs_rust_set(struct net *net, bool admin, int cmd, const u8 *arg, unsigned int len);
int rvs_rust_get(struct net *net, bool admin, int cmd, u8 *buf, unsigned int len,
		 unsigned int *out_len);
void rvs_rust_conn_gc(void);

#endif /* RVS_GLUE_H */
