// SPDX-License-Identifier: GPL-2.0

//! The transmitters: how a packet of a connection reaches its real server (NAT, direct
//! routing, IP-in-IP tunnel, local), and how NAT replies and ICMP errors are translated.
//!
//! Every transmitter that sends a packet itself does ip_vs's checks first: a route to the
//! server, the path MTU (answering the client with fragmentation-needed / packet-too-big, the
//! tunnel's overhead included), and the TTL (answering time-exceeded).

use core::sync::atomic::{AtomicU16, Ordering};

use crate::conn_table::Conn;
use crate::kabi::net::Net;
use crate::kabi::netfilter::Verdict;
use crate::kabi::route::Route;
use crate::kabi::skb::Skb;
use crate::rvs_core::abi::af;
use crate::rvs_core::csum;
use crate::rvs_core::packet::{self, ipproto, CsumMode, Headers, IcmpError, Side};
use crate::service::abi_fwd;

/// ICMP (`v6` false) and ICMPv6 (`v6` true) types and codes rvs sends.
mod icmp {
    /// Destination unreachable / port unreachable.
    pub(super) const V4_UNREACH: (u8, u8) = (3, 3);
    /// Destination unreachable / fragmentation needed.
    pub(super) const V4_FRAG_NEEDED: (u8, u8) = (3, 4);
    /// Time exceeded in transit.
    pub(super) const V4_TIME_EXCEEDED: (u8, u8) = (11, 0);
    /// Destination unreachable / port unreachable.
    pub(super) const V6_UNREACH: (u8, u8) = (1, 4);
    /// Packet too big.
    pub(super) const V6_TOO_BIG: (u8, u8) = (2, 0);
    /// Hop limit exceeded.
    pub(super) const V6_TIME_EXCEEDED: (u8, u8) = (3, 0);
}

/// Outer header of an IPv4 and of an IPv6 tunnel.
const IPV4_HDR: u32 = 20;
const IPV6_HDR: u32 = 40;
/// The smallest MTU each family guarantees.
const IPV4_MIN_MTU: u32 = 68;
const IPV6_MIN_MTU: u32 = 1280;

fn is_v6(h: &Headers) -> bool {
    h.af == af::INET6
}

fn send_icmp(skb: &Skb<'_>, h: &Headers, (v4, v6): ((u8, u8), (u8, u8)), info: u32) {
    let ((t, c), v6f) = if is_v6(h) { (v6, true) } else { (v4, false) };
    skb.icmp_send(v6f, t, c, info);
}

/// Tells the client that nothing serves its request (no real server available).
pub(crate) fn unreachable(skb: &Skb<'_>, h: &Headers) {
    send_icmp(skb, h, (icmp::V4_UNREACH, icmp::V6_UNREACH), 0);
}

/// The L4 bytes a rewrite needs linear: the whole TCP or UDP header (ports and checksum).
fn l4_len(h: &Headers) -> usize {
    match h.protocol {
        ipproto::TCP => 20,
        ipproto::UDP => 8,
        _ => 0,
    }
}

fn csum_mode(skb: &Skb<'_>) -> CsumMode {
    if skb.csum_partial() {
        CsumMode::Partial
    } else {
        CsumMode::Full
    }
}

/// Whether a packet of `len` bytes too many for `mtu` must be refused: IPv6 always, IPv4 when
/// DF is set (ip_vs's `ensure_mtu_is_adequate`).
fn too_big(skb: &Skb<'_>, h: &Headers, mtu: u32) -> bool {
    if skb.fits_mtu(mtu) {
        return false;
    }
    is_v6(h) || h.df
}

/// Decrements the TTL or hop limit in the writable header `pkt`, fixing the IPv4 checksum.
fn decrement_ttl(pkt: &mut [u8], h: &Headers) -> Option<()> {
    if is_v6(h) {
        let hl = pkt.get_mut(7)?;
        *hl = hl.checked_sub(1)?;
        return Some(());
    }
    let old = [*pkt.get(8)?, *pkt.get(9)?];
    let new = [old[0].checked_sub(1)?, old[1]];
    let field = u16::from_be_bytes([*pkt.get(10)?, *pkt.get(11)?]);
    let sum = csum::replace(field, &old, &new);
    pkt[8] = new[0];
    pkt[10..12].copy_from_slice(&sum.to_be_bytes());
    Some(())
}

/// The route checks of every transmitter. `None`: the packet was answered and must be
/// dropped.
fn checked_route(
    net: &Net,
    skb: &Skb<'_>,
    h: &Headers,
    to: &[u8; 16],
    known_nh: bool,
    overhead: u32,
) -> Result<Route, Verdict> {
    let route = Route::lookup(net, is_v6(h), to, known_nh).ok_or(Verdict::Drop)?;
    if route.local {
        return Ok(route);
    }
    let min = if is_v6(h) { IPV6_MIN_MTU } else { IPV4_MIN_MTU };
    let mtu = route.mtu.saturating_sub(overhead).max(min);
    // ICMP errors are never answered with ICMP errors.
    if too_big(skb, h, mtu) && !packet::is_icmp_error(h) {
        send_icmp(skb, h, (icmp::V4_FRAG_NEEDED, icmp::V6_TOO_BIG), mtu);
        return Err(Verdict::Drop);
    }
    if h.ttl <= 1 {
        send_icmp(skb, h, (icmp::V4_TIME_EXCEEDED, icmp::V6_TIME_EXCEEDED), 0);
        return Err(Verdict::Drop);
    }
    Ok(route)
}

fn verdict(r: Result<Verdict, Verdict>) -> Verdict {
    r.unwrap_or_else(|v| v)
}

/// Sends a client's packet of connection `c` to its real server.
pub(crate) fn to_server(net: &Net, skb: Skb<'_>, h: &Headers, c: &Conn) -> Verdict {
    match c.fwd {
        abi_fwd::MASQ => verdict(nat(net, skb, h, c)),
        abi_fwd::DROUTE => verdict(direct(net, skb, h, &c.daddr)),
        abi_fwd::TUNNEL => verdict(tunnel(net, skb, h, &c.daddr)),
        // Local: the packet goes on to this host's own sockets, unchanged.
        _ => Verdict::Accept,
    }
}

/// NAT: the destination becomes the real server's address and port.
fn nat(net: &Net, mut skb: Skb<'_>, h: &Headers, c: &Conn) -> Result<Verdict, Verdict> {
    let route = checked_route(net, &skb, h, &c.daddr, false, 0)?;
    let mode = csum_mode(&skb);
    let pkt = skb
        .writable(h.l4_off.saturating_add(l4_len(h)))
        .ok_or(Verdict::Drop)?;
    packet::rewrite(pkt, h, Side::Dst, &c.daddr, c.dport, mode).map_err(|_| Verdict::Drop)?;
    if route.local {
        // A real server on this host: deliver the rewritten packet locally.
        skb.csum_mangled();
        return Ok(Verdict::Accept);
    }
    decrement_ttl(pkt, h).ok_or(Verdict::Drop)?;
    skb.csum_mangled();
    skb.set_route(route);
    skb.send(net, is_v6(h));
    Ok(Verdict::Stolen)
}

/// Direct routing: the unchanged packet goes to the real server's link-layer address.
fn direct(net: &Net, mut skb: Skb<'_>, h: &Headers, to: &[u8; 16]) -> Result<Verdict, Verdict> {
    let route = checked_route(net, &skb, h, to, true, 0)?;
    if route.local {
        return Ok(Verdict::Accept);
    }
    let pkt = skb.writable(h.l4_off).ok_or(Verdict::Drop)?;
    decrement_ttl(pkt, h).ok_or(Verdict::Drop)?;
    skb.set_route(route);
    skb.send(net, is_v6(h));
    Ok(Verdict::Stolen)
}

/// IPv4 identification numbers of tunnel headers that may be fragmented.
static TUNNEL_ID: AtomicU16 = AtomicU16::new(0);

/// IP-in-IP (IPv6-in-IPv6): the packet goes inside a new IP header to the real server.
fn tunnel(net: &Net, mut skb: Skb<'_>, h: &Headers, to: &[u8; 16]) -> Result<Verdict, Verdict> {
    let v6 = is_v6(h);
    let hdr = if v6 { IPV6_HDR } else { IPV4_HDR };
    let route = checked_route(net, &skb, h, to, false, hdr)?;
    if route.local {
        return Ok(Verdict::Accept);
    }
    let pkt = skb.writable(h.l4_off).ok_or(Verdict::Drop)?;
    decrement_ttl(pkt, h).ok_or(Verdict::Drop)?;
    let ttl = h.ttl.saturating_sub(1);
    let saddr = route.saddr;
    skb.set_route(route);
    let inner = if v6 { ipproto::IPV6 } else { ipproto::IPIP };
    let total = skb.len().saturating_add(hdr);
    let outer = skb.encap(hdr as usize, v6, inner).ok_or(Verdict::Drop)?;
    let written = if v6 {
        let payload = u16::try_from(total - IPV6_HDR).map_err(|_| Verdict::Drop)?;
        packet::write_ipv6_header(outer, h.tos, payload, inner, ttl, &saddr, to)
    } else {
        // A GSO packet's length is that of its segments once split: the stack fixes it then.
        let len = u16::try_from(total).unwrap_or(u16::MAX);
        let id = TUNNEL_ID.fetch_add(1, Ordering::Relaxed);
        let s = [saddr[0], saddr[1], saddr[2], saddr[3]];
        let d = [to[0], to[1], to[2], to[3]];
        packet::write_ipv4_header(outer, h.tos, len, id, h.df, ttl, inner, &s, &d)
    };
    written.map_err(|_| Verdict::Drop)?;
    skb.send(net, v6);
    Ok(Verdict::Stolen)
}

/// A real server's reply on a NAT connection: the source becomes the virtual service; the
/// packet goes on to the client.
pub(crate) fn nat_reply(mut skb: Skb<'_>, h: &Headers, c: &Conn) -> Verdict {
    let mode = csum_mode(&skb);
    let Some(pkt) = skb.writable(h.l4_off.saturating_add(l4_len(h))) else {
        return Verdict::Drop;
    };
    if packet::rewrite(pkt, h, Side::Src, &c.vaddr, c.vport, mode).is_err() {
        return Verdict::Drop;
    }
    skb.csum_mangled();
    skb.set_handled();
    Verdict::Accept
}

/// The whole of an ICMP error, writable.
fn icmp_writable<'s>(skb: &'s mut Skb<'_>, e: &IcmpError) -> Option<&'s mut [u8]> {
    let len = e.outer.ip_len.min(skb.len() as usize);
    skb.writable(len)
}

/// An ICMP error from a real server about a NAT connection's request, on its way to the
/// client: it now comes from the virtual service and quotes it.
pub(crate) fn icmp_from_server(mut skb: Skb<'_>, e: &IcmpError, c: &Conn) -> Verdict {
    let Some(pkt) = icmp_writable(&mut skb, e) else {
        return Verdict::Drop;
    };
    if packet::rewrite_icmp_error(pkt, e, Side::Src, &c.vaddr, c.vport).is_err() {
        return Verdict::Drop;
    }
    skb.csum_mangled();
    skb.set_handled();
    Verdict::Accept
}

/// An ICMP error from a client about a reply of connection `c`: NAT connections get it
/// translated to the real server's view, the others get it forwarded as it is.
pub(crate) fn icmp_to_server(net: &Net, mut skb: Skb<'_>, e: &IcmpError, c: &Conn) -> Verdict {
    match c.fwd {
        abi_fwd::MASQ => {
            let route = match checked_route(net, &skb, &e.outer, &c.daddr, false, 0) {
                Ok(r) => r,
                Err(v) => return v,
            };
            let Some(pkt) = icmp_writable(&mut skb, e) else {
                return Verdict::Drop;
            };
            if packet::rewrite_icmp_error(pkt, e, Side::Dst, &c.daddr, c.dport).is_err() {
                return Verdict::Drop;
            }
            if route.local {
                skb.csum_mangled();
                return Verdict::Accept;
            }
            if decrement_ttl(pkt, &e.outer).is_none() {
                return Verdict::Drop;
            }
            skb.csum_mangled();
            skb.set_route(route);
            skb.send(net, is_v6(&e.outer));
            Verdict::Stolen
        }
        abi_fwd::DROUTE => verdict(direct(net, skb, &e.outer, &c.daddr)),
        abi_fwd::TUNNEL => verdict(tunnel(net, skb, &e.outer, &c.daddr)),
        _ => Verdict::Accept,
    }
}
