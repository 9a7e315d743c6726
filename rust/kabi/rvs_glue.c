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
#include <net/netns/generic.h>
#include <net/sock.h>

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

bool rvs_glue_hash_bucket_empty(const struct hlist_head *table, unsigned int bucket)
{
	return hlist_empty(&table[bucket]);
}

/* ---- RCU ---- */

void rvs_glue_rcu_barrier(void)
{
	rcu_barrier();
}
