// SPDX-License-Identifier: GPL-2.0

//! The netfilter hooks: where rvs meets packets.
//!
//! - LOCAL_IN, priority 100: requests to a virtual service (an address of this host) are
//!   scheduled to a real server, or matched to their connection, and sent on by its
//!   forwarding method; ICMP errors about replies are passed to the real server.
//! - FORWARD, priority 100: replies of NAT real servers get the virtual service as source;
//!   ICMP errors from real servers about NAT requests are translated the same way.
//! - FORWARD, priority 99: ICMP errors forwarded through this host about connections (as
//!   ip_vs's `ip_vs_forward_icmp`).
//! - POST_ROUTING, priority NF_IP_PRI_NAT_SRC - 1: packets rvs handled are detached from
//!   conntrack, so netfilter NAT (which runs next) leaves them alone.
//!
//! Without a virtual service in the namespace every packet passes untouched.

use crate::conn_table::{self, Conn, ConnTable, Key};
use crate::kabi::net::Net;
use crate::kabi::netfilter::{Hook, Verdict};
use crate::kabi::rcu::{self, Guard};
use crate::kabi::skb::Skb;
use crate::netns::NetState;
use crate::rvs_core::abi::af;
use crate::rvs_core::packet::{self, ipproto, Headers};
use crate::rvs_core::tcp_state::{flags, Dir, TcpState};
use crate::service::{self, abi_fwd};
use crate::xmit;

/// Bytes of a packet's head that are enough for every header rvs reads, ICMP errors included.
const HEAD: usize = 128;

/// Decides the fate of `skb`, which met rvs at `hook` in `net` (address family `pf`).
pub(crate) fn hook(hook: Hook, pf: u8, net: &Net, mut skb: Skb<'_>) -> Verdict {
    if skb.handled() {
        if hook == Hook::PostRouting {
            skb.untrack();
        }
        return Verdict::Accept;
    }
    if hook == Hook::PostRouting {
        return Verdict::Accept;
    }
    let Some(st) = net.state() else {
        return Verdict::Accept;
    };
    if st.num_services() == 0 {
        return Verdict::Accept;
    }
    let family = match pf {
        2 => af::INET,
        10 => af::INET6,
        _ => return Verdict::Accept,
    };
    let mut head = [0u8; HEAD];
    let n = skb.copy_head(&mut head);
    // What rvs cannot parse is not a connection of a virtual service: the stack decides.
    let Ok(h) = packet::parse(family, &head[..n]) else {
        return Verdict::Accept;
    };
    let guard = rcu::read_lock();
    let Some(table) = conn_table::table(&guard) else {
        return Verdict::Accept;
    };
    let icmp = matches!(h.protocol, ipproto::ICMP | ipproto::ICMPV6);
    let cx = Ctx {
        net,
        st,
        table,
        guard: &guard,
    };
    match hook {
        Hook::In if !skb.for_host() => Verdict::Accept,
        Hook::In | Hook::ForwardIcmp if icmp => cx.icmp_in(skb, &head[..n]),
        Hook::In => cx.request(skb, &h),
        Hook::Out if icmp => cx.icmp_out(skb, &head[..n]),
        Hook::Out => cx.reply(skb, &h),
        _ => Verdict::Accept,
    }
}

/// What a hook works with.
struct Ctx<'a> {
    net: &'a Net,
    st: &'a NetState,
    table: &'a ConnTable,
    guard: &'a Guard,
}

fn l4(h: &Headers) -> bool {
    matches!(h.protocol, ipproto::TCP | ipproto::UDP) && !h.later_fragment
}

/// ip_vs schedules a TCP connection only on a SYN without RST; UDP on any datagram.
fn starts_connection(h: &Headers) -> bool {
    h.protocol != ipproto::TCP || (h.tcp_flags & (flags::SYN | flags::RST) == flags::SYN)
}

/// A SYN on an entry that is closing starts a new connection from a reused client port
/// (ip_vs's `conn_reuse_mode`): the old entry goes, and the new one is scheduled afresh.
fn reuses_port(h: &Headers, c: &Conn) -> bool {
    h.protocol == ipproto::TCP
        && h.tcp_flags & (flags::SYN | flags::ACK | flags::RST) == flags::SYN
        && (matches!(c.tcp_state(), TcpState::TimeWait | TcpState::Close) || !c.dest.available())
}

impl<'a> Ctx<'a> {
    /// The connection key of packet `p`: sent by the client, or (`from_server`) sent to it.
    fn key<'k>(&self, client: &'k Headers, from_server: bool) -> Key<'k> {
        if from_server {
            Key {
                net: self.st.net_id,
                af: client.af,
                protocol: client.protocol,
                caddr: &client.daddr,
                cport: client.dport,
                addr: &client.saddr,
                port: client.sport,
            }
        } else {
            Key {
                net: self.st.net_id,
                af: client.af,
                protocol: client.protocol,
                caddr: &client.saddr,
                cport: client.sport,
                addr: &client.daddr,
                port: client.dport,
            }
        }
    }

    /// A packet from a client to this host.
    fn request(&self, skb: Skb<'_>, h: &Headers) -> Verdict {
        if !l4(h) {
            return Verdict::Accept;
        }
        let key = self.key(h, false);
        let mut conn = self.table.lookup_in(self.guard, &key);
        if let Some(c) = conn {
            if reuses_port(h, c) {
                c.expire_now();
                conn = None;
            }
        }
        let c = match conn {
            Some(c) => c,
            None => {
                let Some(list) = self.st.services(self.guard) else {
                    return Verdict::Accept;
                };
                let Some(svc) =
                    service::lookup_vip(list, h.af, u16::from(h.protocol), &h.daddr, h.dport)
                else {
                    return Verdict::Accept;
                };
                if !starts_connection(h) {
                    return Verdict::Accept;
                }
                let Some(dest) = svc.schedule(self.guard) else {
                    xmit::unreachable(&skb, h);
                    return Verdict::Drop;
                };
                match self.table.create(self.guard, &key, dest) {
                    Some(c) => c,
                    None => return Verdict::Drop,
                }
            }
        };
        // The server was removed: its connections carry nothing more (ip_vs's default).
        if !c.dest.available() {
            return Verdict::Drop;
        }
        let len = skb.len();
        c.dest.stats.packet_in(len);
        c.dest.svc_stats.packet_in(len);
        c.dest.tot_stats.packet_in(len);
        let dir = if c.fwd == abi_fwd::MASQ {
            Dir::Input
        } else {
            Dir::InputOnly
        };
        c.update(dir, h.tcp_flags, &self.st.timeouts());
        xmit::to_server(self.net, skb, h, c)
    }

    /// A packet forwarded through this host: a NAT real server's reply, or nothing of ours.
    fn reply(&self, skb: Skb<'_>, h: &Headers) -> Verdict {
        if !l4(h) {
            return Verdict::Accept;
        }
        let key = self.key(h, true);
        let Some(c) = self.table.lookup_out(self.guard, &key) else {
            return Verdict::Accept;
        };
        if c.fwd != abi_fwd::MASQ {
            return Verdict::Accept;
        }
        let len = skb.len();
        c.dest.stats.packet_out(len);
        c.dest.svc_stats.packet_out(len);
        c.dest.tot_stats.packet_out(len);
        c.update(Dir::Output, h.tcp_flags, &self.st.timeouts());
        xmit::nat_reply(skb, h, c)
    }

    /// An ICMP error to this host (or forwarded) about a reply a connection sent to a client.
    fn icmp_in(&self, skb: Skb<'_>, head: &[u8]) -> Verdict {
        let Ok(Some(e)) = packet::parse_icmp_error(family_of(head), head) else {
            return Verdict::Accept;
        };
        if !l4(&e.inner) {
            return Verdict::Accept;
        }
        // The quoted packet went from the virtual service to the client.
        let key = self.key(&e.inner, true);
        let Some(c) = self.table.lookup_in(self.guard, &key) else {
            return Verdict::Accept;
        };
        if !c.dest.available() {
            return Verdict::Drop;
        }
        c.dest.stats.packet_in(skb.len());
        xmit::icmp_to_server(self.net, skb, &e, c)
    }

    /// An ICMP error forwarded from a real server about a NAT connection's request.
    fn icmp_out(&self, skb: Skb<'_>, head: &[u8]) -> Verdict {
        let Ok(Some(e)) = packet::parse_icmp_error(family_of(head), head) else {
            return Verdict::Accept;
        };
        if !l4(&e.inner) {
            return Verdict::Accept;
        }
        // The quoted packet went from the client to the real server.
        let key = self.key(&e.inner, false);
        let Some(c) = self.table.lookup_out(self.guard, &key) else {
            return Verdict::Accept;
        };
        if c.fwd != abi_fwd::MASQ {
            return Verdict::Accept;
        }
        c.dest.stats.packet_out(skb.len());
        xmit::icmp_from_server(skb, &e, c)
    }
}

/// The address family of the IP packet that starts `head`.
fn family_of(head: &[u8]) -> u16 {
    match head.first().map(|b| b >> 4) {
        Some(6) => af::INET6,
        _ => af::INET,
    }
}
