// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of rvs: wrappers of inline functions and macros, and the static ops tables whose
 * callbacks trampoline into Rust. No policy lives here: every decision is the Rust side's.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/proc_fs.h>
#include <linux/seq_file_net.h>
#include <linux/sockptr.h>
#include <linux/capability.h>
#include <linux/vmalloc.h>
#include <linux/rcupdate.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/workqueue.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/icmp.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/addrconf.h>
#include <net/ip_tunnels.h>
#include <net/gso.h>
#include <net/netfilter/nf_conntrack.h>

#include "rvs_glue.h"

static int conn_tab_bits = 12;
module_param(conn_tab_bits, int, 0444);
MODULE_PARM_DESC(conn_tab_bits, "log2 of the connection hash table's bucket count (8..20)");

int rvs_glue_conn_tab_bits(void)
{
	return conn_tab_bits;
}

/* ---- netfilter hooks ---- */

#define RVS_HOOK_FN(name, which)						\
static unsigned int name(void *priv, struct sk_buff *skb,			\
			 const struct nf_hook_state *state)			\
{										\
	return rvs_rust_hook(which, skb, state->pf, state->net);		\
}
RVS_HOOK_FN(rvs_hook_in, RVS_HOOK_IN)
RVS_HOOK_FN(rvs_hook_out, RVS_HOOK_OUT)
RVS_HOOK_FN(rvs_hook_fwd_icmp, RVS_HOOK_FWD_ICMP)
RVS_HOOK_FN(rvs_hook_post, RVS_HOOK_POST)

/* The seed's placement, which the design card keeps: the same for both families. */
#define RVS_HOOK_OPS(family)							\
	{ .hook = rvs_hook_in, .pf = family, .hooknum = NF_INET_LOCAL_IN,	\
	  .priority = 100 },							\
	{ .hook = rvs_hook_out, .pf = family, .hooknum = NF_INET_FORWARD,	\
	  .priority = 100 },							\
	{ .hook = rvs_hook_fwd_icmp, .pf = family, .hooknum = NF_INET_FORWARD,	\
	  .priority = 99 },							\
	{ .hook = rvs_hook_post, .pf = family, .hooknum = NF_INET_POST_ROUTING,	\
	  .priority = NF_IP_PRI_NAT_SRC - 1 }

static const struct nf_hook_ops rvs_hook_ops[] = {
	RVS_HOOK_OPS(NFPROTO_IPV4),
#if IS_ENABLED(CONFIG_IPV6)
	RVS_HOOK_OPS(NFPROTO_IPV6),
#endif
};

static int __net_init rvs_hooks_net_init(struct net *net)
{
	return nf_register_net_hooks(net, rvs_hook_ops, ARRAY_SIZE(rvs_hook_ops));
}

static void __net_exit rvs_hooks_net_exit(struct net *net)
{
	nf_unregister_net_hooks(net, rvs_hook_ops, ARRAY_SIZE(rvs_hook_ops));
}

static struct pernet_operations rvs_hooks_net_ops = {
	.init = rvs_hooks_net_init,
	.exit = rvs_hooks_net_exit,
};

/* Hooks are per-device pernet operations, as ip_vs's: they go before devices on exit. */
int rvs_glue_register_pernet_hooks(void)
{
	return register_pernet_device(&rvs_hooks_net_ops);
}

void rvs_glue_unregister_pernet_hooks(void)
{
	unregister_pernet_device(&rvs_hooks_net_ops);
}

/* ---- per-namespace state ---- */

static unsigned int rvs_net_id __read_mostly;

static int __net_init rvs_state_net_init(struct net *net)
{
	return rvs_rust_net_init(net);
}

static void __net_exit rvs_state_net_exit(struct net *net)
{
	rvs_rust_net_exit(net);
}

static struct pernet_operations rvs_state_net_ops = {
	.init = rvs_state_net_init,
	.exit = rvs_state_net_exit,
	.id = &rvs_net_id,
	.size = sizeof(void *),
};

int rvs_glue_register_pernet_state(void)
{
	return register_pernet_subsys(&rvs_state_net_ops);
}

void rvs_glue_unregister_pernet_state(void)
{
	unregister_pernet_subsys(&rvs_state_net_ops);
}

void *rvs_glue_net_state(const struct net *net)
{
	return *(void **)net_generic(net, rvs_net_id);
}

void rvs_glue_set_net_state(const struct net *net, void *state)
{
	*(void **)net_generic(net, rvs_net_id) = state;
}

/* ---- socket options ---- */

static int rvs_sockopt_set(struct sock *sk, int cmd, sockptr_t arg, unsigned int len)
{
	struct net *net = sock_net(sk);
	bool admin = ns_capable(net->user_ns, CAP_NET_ADMIN);
	u8 buf[RVS_GLUE_MAX_SET_LEN];

	if (len > sizeof(buf))
		return -EINVAL;
	if (copy_from_sockptr(buf, arg, len))
		return -EFAULT;
	return rvs_rust_set(net, admin, cmd, buf, len);
}

static int rvs_sockopt_get(struct sock *sk, int cmd, void __user *user, int *len)
{
	struct net *net = sock_net(sk);
	bool admin = ns_capable(net->user_ns, CAP_NET_ADMIN);
	unsigned int out_len = 0;
	u8 *buf;
	int ret;

	if (*len < 0 || *len > RVS_GLUE_MAX_GET_LEN)
		return -EINVAL;
	buf = kvzalloc(*len ? *len : 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, user, *len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = rvs_rust_get(net, admin, cmd, buf, *len, &out_len);
	if (ret == 0) {
		if (out_len > *len) {
			ret = -EINVAL;
			goto out;
		}
		if (copy_to_user(user, buf, out_len))
			ret = -EFAULT;
		else
			*len = out_len;
	}
out:
	kvfree(buf);
	return ret;
}

/* The same option range on IPv4 and IPv6 sockets. */
#define RVS_SOCKOPT_OPS(family)						\
	{								\
		.pf = family,						\
		.set_optmin = RVS_BASE_CTL,				\
		.set_optmax = RVS_SO_SET_MAX + 1,			\
		.set = rvs_sockopt_set,					\
		.get_optmin = RVS_BASE_CTL,				\
		.get_optmax = RVS_SO_GET_MAX + 1,			\
		.get = rvs_sockopt_get,					\
		.owner = THIS_MODULE,					\
	}

static struct nf_sockopt_ops rvs_sockopts4 = RVS_SOCKOPT_OPS(PF_INET);
#if IS_ENABLED(CONFIG_IPV6)
static struct nf_sockopt_ops rvs_sockopts6 = RVS_SOCKOPT_OPS(PF_INET6);
#endif

int rvs_glue_register_sockopt(void)
{
	int ret = nf_register_sockopt(&rvs_sockopts4);

#if IS_ENABLED(CONFIG_IPV6)
	if (ret == 0) {
		ret = nf_register_sockopt(&rvs_sockopts6);
		if (ret)
			nf_unregister_sockopt(&rvs_sockopts4);
	}
#endif
	return ret;
}

void rvs_glue_unregister_sockopt(void)
{
#if IS_ENABLED(CONFIG_IPV6)
	nf_unregister_sockopt(&rvs_sockopts6);
#endif
	nf_unregister_sockopt(&rvs_sockopts4);
}

/* ---- /proc/net ---- */

#define RVS_PROC_SHOW(name, which)						\
static int name(struct seq_file *m, void *v)					\
{										\
	return rvs_rust_proc_show(m, seq_file_single_net(m), which);		\
}
RVS_PROC_SHOW(rvs_proc_services, RVS_PROC_SERVICES)
RVS_PROC_SHOW(rvs_proc_stats, RVS_PROC_STATS)
RVS_PROC_SHOW(rvs_proc_conn, RVS_PROC_CONN)

int rvs_glue_proc_create(struct net *net)
{
	if (!proc_create_net_single("rvs", 0444, net->proc_net, rvs_proc_services, NULL))
		goto fail;
	if (!proc_create_net_single("rvs_stats", 0444, net->proc_net, rvs_proc_stats, NULL))
		goto fail_services;
	if (!proc_create_net_single("rvs_conn", 0444, net->proc_net, rvs_proc_conn, NULL))
		goto fail_stats;
	return 0;

	/* Remove only what was created: removing a missing entry WARNs. */
fail_stats:
	remove_proc_entry("rvs_stats", net->proc_net);
fail_services:
	remove_proc_entry("rvs", net->proc_net);
fail:
	return -ENOMEM;
}

void rvs_glue_proc_remove(struct net *net)
{
	remove_proc_entry("rvs_conn", net->proc_net);
	remove_proc_entry("rvs_stats", net->proc_net);
	remove_proc_entry("rvs", net->proc_net);
}

void rvs_glue_seq_write(struct seq_file *m, const char *buf, size_t len)
{
	seq_write(m, buf, len);
}

/* ---- /proc/sys/net/ipv4/rvs ---- */

static const struct ctl_table rvs_sysctl_template[] = {
	{
		.procname = "debug_level",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = proc_dointvec_minmax,
		.extra1 = SYSCTL_ZERO,
		.extra2 = SYSCTL_ONE,
	},
	{
		.procname = "conn_tab_size",
		.maxlen = sizeof(int),
		.mode = 0444,
		.proc_handler = proc_dointvec,
	},
};

struct ctl_table_header *rvs_glue_sysctl_register(struct net *net, int *debug_level,
						  int *conn_tab_size)
{
	struct ctl_table_header *header;
	struct ctl_table *table;

	table = kmemdup(rvs_sysctl_template, sizeof(rvs_sysctl_template), GFP_KERNEL);
	if (!table)
		return NULL;
	table[0].data = debug_level;
	table[1].data = conn_tab_size;
	header = register_net_sysctl_sz(net, "net/ipv4/rvs", table,
					ARRAY_SIZE(rvs_sysctl_template));
	if (!header)
		kfree(table);
	return header;
}

void rvs_glue_sysctl_unregister(struct ctl_table_header *header)
{
	const struct ctl_table *table = header->ctl_table_arg;

	unregister_net_sysctl_table(header);
	kfree(table);
}

/* ---- slab and hash table ---- */

struct kmem_cache *rvs_glue_kmem_cache_create(const char *name, unsigned int size,
					      unsigned int align)
{
	return kmem_cache_create(name, size, align, SLAB_HWCACHE_ALIGN, NULL);
}

struct hlist_head *rvs_glue_hash_alloc(unsigned int buckets)
{
	struct hlist_head *table = kvmalloc_array(buckets, sizeof(*table), GFP_KERNEL);
	unsigned int i;

	if (table)
		for (i = 0; i < buckets; i++)
			INIT_HLIST_HEAD(&table[i]);
	return table;
}

void rvs_glue_hash_free(struct hlist_head *table)
{
	kvfree(table);
}

/* ---- RCU ---- */

void rvs_glue_rcu_barrier(void)
{
	rcu_barrier();
}

void rvs_glue_rcu_read_lock(void)
{
	rcu_read_lock();
}

void rvs_glue_rcu_read_unlock(void)
{
	rcu_read_unlock();
}

void rvs_glue_synchronize_rcu(void)
{
	synchronize_rcu();
}

/* ---- locks ---- */

void rvs_glue_spin_lock_bh(spinlock_t *lock)
{
	spin_lock_bh(lock);
}

void rvs_glue_spin_unlock_bh(spinlock_t *lock)
{
	spin_unlock_bh(lock);
}

spinlock_t *rvs_glue_locks_alloc(unsigned int n)
{
	spinlock_t *locks = kvmalloc_array(n, sizeof(*locks), GFP_KERNEL);
	unsigned int i;

	if (locks)
		for (i = 0; i < n; i++)
			spin_lock_init(&locks[i]);
	return locks;
}

void rvs_glue_locks_free(spinlock_t *locks)
{
	kvfree(locks);
}

/* ---- time ---- */

u64 rvs_glue_jiffies(void)
{
	return get_jiffies_64();
}

unsigned int rvs_glue_hz(void)
{
	return HZ;
}

void rvs_glue_cond_resched(void)
{
	cond_resched();
}

/* ---- RCU hash chains ---- */

void rvs_glue_hash_add_rcu(struct hlist_head *table, unsigned int bucket, struct hlist_node *n)
{
	hlist_add_head_rcu(n, &table[bucket]);
}

void rvs_glue_hash_del_rcu(struct hlist_node *n)
{
	hlist_del_rcu(n);
}

struct hlist_node *rvs_glue_hash_first_rcu(struct hlist_head *table, unsigned int bucket)
{
	return rcu_dereference(hlist_first_rcu(&table[bucket]));
}

struct hlist_node *rvs_glue_hash_next_rcu(struct hlist_node *n)
{
	return rcu_dereference(hlist_next_rcu(n));
}

struct hlist_node *rvs_glue_hash_first_locked(struct hlist_head *table, unsigned int bucket)
{
	return rcu_dereference_protected(hlist_first_rcu(&table[bucket]), 1);
}

struct hlist_node *rvs_glue_hash_next_locked(struct hlist_node *n)
{
	return rcu_dereference_protected(hlist_next_rcu(n), 1);
}

/* ---- slab objects ---- */

void *rvs_glue_kmem_cache_alloc_atomic(struct kmem_cache *cache)
{
	return kmem_cache_alloc(cache, GFP_ATOMIC | __GFP_NOWARN);
}

void rvs_glue_kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	kmem_cache_free(cache, obj);
}

void rvs_glue_call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	call_rcu(head, func);
}

/* ---- the connection collector ---- */

static void rvs_gc_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(rvs_gc_work, rvs_gc_fn);

static void rvs_gc_fn(struct work_struct *work)
{
	rvs_rust_conn_gc();
	queue_delayed_work(system_long_wq, &rvs_gc_work, HZ);
}

void rvs_glue_gc_start(void)
{
	queue_delayed_work(system_long_wq, &rvs_gc_work, HZ);
}

void rvs_glue_gc_stop(void)
{
	/* Also stops a work that re-queues itself. */
	cancel_delayed_work_sync(&rvs_gc_work);
}

/* ---- packets ---- */

unsigned int rvs_glue_skb_len(const struct sk_buff *skb)
{
	return skb->len;
}

/* ip_vs's test: only packets for this host, that have a route. */
bool rvs_glue_skb_for_host(const struct sk_buff *skb)
{
	return skb->pkt_type == PACKET_HOST && skb_dst(skb);
}

bool rvs_glue_skb_handled(const struct sk_buff *skb)
{
	return skb->ipvs_property;
}

void rvs_glue_skb_set_handled(struct sk_buff *skb)
{
	skb->ipvs_property = 1;
}

unsigned int rvs_glue_skb_copy_head(const struct sk_buff *skb, u8 *buf, unsigned int len)
{
	int off = skb_network_offset(skb);
	unsigned int avail = skb->len > off ? skb->len - off : 0;

	len = min(len, avail);
	if (skb_copy_bits(skb, off, buf, len))
		return 0;
	return len;
}

u8 *rvs_glue_skb_writable(struct sk_buff *skb, unsigned int len)
{
	if (skb_ensure_writable(skb, skb_network_offset(skb) + len))
		return NULL;
	return skb_network_header(skb);
}

bool rvs_glue_skb_csum_partial(const struct sk_buff *skb)
{
	return skb->ip_summed == CHECKSUM_PARTIAL;
}

/* After a header rewrite the complete sum is stale; the header checksums are right. */
void rvs_glue_skb_csum_mangled(struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

bool rvs_glue_skb_fits_mtu(const struct sk_buff *skb, unsigned int mtu)
{
	if (skb->len - skb_network_offset(skb) <= mtu)
		return true;
	return skb_is_gso(skb) && skb_gso_validate_network_len(skb, mtu);
}

/* Netfilter NAT leaves untracked packets alone: what rvs handled is not NATed again. */
void rvs_glue_skb_untrack(struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	nf_reset_ct(skb);
	nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
#endif
}

/*
 * Makes room for an outer IPv4 or IPv6 header of hdr_len bytes in front of the packet,
 * whose new route is already set, and returns where it goes (the new network header).
 */
u8 *rvs_glue_skb_encap(struct sk_buff *skb, unsigned int hdr_len, bool outer_v6, u8 inner_proto)
{
	struct dst_entry *dst = skb_dst(skb);
	unsigned int room = hdr_len + (dst ? LL_RESERVED_SPACE(dst->dev) : LL_MAX_HEADER);

	if (skb_network_offset(skb) != 0)
		return NULL;
	if (skb_cow_head(skb, room))
		return NULL;
	if (iptunnel_handle_offloads(skb, outer_v6 ? SKB_GSO_IPXIP6 : SKB_GSO_IPXIP4))
		return NULL;
	skb_set_inner_ipproto(skb, inner_proto);
	skb_push(skb, hdr_len);
	skb_reset_network_header(skb);
	if (outer_v6) {
		memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
		skb->protocol = htons(ETH_P_IPV6);
	} else {
		memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
		skb->protocol = htons(ETH_P_IP);
	}
	return skb_network_header(skb);
}

void rvs_glue_icmp_send(struct sk_buff *skb, bool v6, u8 type, u8 code, u32 info)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (v6) {
		icmpv6_send(skb, type, code, info);
		return;
	}
#endif
	if (!v6)
		icmp_send(skb, type, code, htonl(info));
}

/* ---- routes ---- */

struct dst_entry *rvs_glue_route4(struct net *net, __be32 daddr, bool known_nh, __be32 *saddr,
				  unsigned int *mtu, bool *local)
{
	struct flowi4 fl4 = {
		.daddr = daddr,
		.flowi4_flags = known_nh ? FLOWI_FLAG_KNOWN_NH : 0,
	};
	struct rtable *rt = ip_route_output_key(net, &fl4);

	if (IS_ERR(rt))
		return NULL;
	*saddr = fl4.saddr;
	*mtu = dst_mtu(&rt->dst);
	*local = rt->rt_flags & RTCF_LOCAL;
	return &rt->dst;
}

struct dst_entry *rvs_glue_route6(struct net *net, const u8 *daddr, bool known_nh, u8 *saddr,
				  unsigned int *mtu, bool *local)
{
#if IS_ENABLED(CONFIG_IPV6)
	struct flowi6 fl6 = {
		.flowi6_flags = known_nh ? FLOWI_FLAG_KNOWN_NH : 0,
	};
	struct in6_addr src;
	struct dst_entry *dst;

	memcpy(&fl6.daddr, daddr, sizeof(fl6.daddr));
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return NULL;
	}
	if (ipv6_dev_get_saddr(net, ip6_dst_idev(dst)->dev, &fl6.daddr, 0, &src)) {
		dst_release(dst);
		return NULL;
	}
	memcpy(saddr, &src, sizeof(src));
	*mtu = dst_mtu(dst);
	*local = dst->dev->flags & IFF_LOOPBACK;
	return dst;
#else
	return NULL;
#endif
}

void rvs_glue_dst_release(struct dst_entry *dst)
{
	dst_release(dst);
}

void rvs_glue_skb_set_dst(struct sk_buff *skb, struct dst_entry *dst)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
}

void rvs_glue_send(struct net *net, bool v6, struct sk_buff *skb)
{
	skb->ipvs_property = 1;
	rvs_glue_skb_untrack(skb);
	/* An early-demuxed local socket does not own what leaves for a real server. */
	if (skb->dev && !(skb->dev->flags & IFF_LOOPBACK))
		skb_orphan(skb);
	/* rvs checked the MTU itself and answered with ICMP where it had to. */
	skb->ignore_df = 1;
	skb_forward_csum(skb);
	if (skb->dev)
		skb_clear_tstamp(skb);
	if (v6)
		NF_HOOK(NFPROTO_IPV6, NF_INET_LOCAL_OUT, net, NULL, skb, NULL,
			skb_dst(skb)->dev, dst_output);
	else
		NF_HOOK(NFPROTO_IPV4, NF_INET_LOCAL_OUT, net, NULL, skb, NULL,
			skb_dst(skb)->dev, dst_output);
}
