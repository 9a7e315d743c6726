// SPDX-License-Identifier: GPL-2.0

//! Packet headers of the data path: parsing and rewriting.
//!
//! Everything works on byte slices that start at the network (IP) header. Nothing here trusts
//! the packet: every offset is checked, arithmetic cannot overflow and a malformed or short
//! packet gives a [`Malformed`] error, never a panic. The rewriting functions check everything
//! they need before writing anything, so on an error the packet is unchanged.
//!
//! Conventions: address families are [`af::INET`] and [`af::INET6`]; addresses are
//! `[u8; 16]` with an IPv4 address in the first 4 bytes and the rest zero; ports are kept as on
//! the wire (`u16::from_ne_bytes` of the two bytes, written back with `to_ne_bytes`), like the
//! `port` fields of the ABI.

use crate::rvs_core::abi::af;
use crate::rvs_core::csum;

/// IP protocol numbers (IPv4 protocol, IPv6 next header).
pub mod ipproto {
    /// ICMP.
    pub const ICMP: u8 = 1;
    /// IPv4 in IP (IPIP tunnels).
    pub const IPIP: u8 = 4;
    /// TCP.
    pub const TCP: u8 = 6;
    /// UDP.
    pub const UDP: u8 = 17;
    /// IPv6 in IP.
    pub const IPV6: u8 = 41;
    /// ICMPv6.
    pub const ICMPV6: u8 = 58;
}

/// IPv6 extension headers that [`parse`] skips.
mod exthdr {
    /// Hop-by-hop options.
    pub(super) const HOPOPTS: u8 = 0;
    /// Routing.
    pub(super) const ROUTING: u8 = 43;
    /// Fragment.
    pub(super) const FRAGMENT: u8 = 44;
    /// Destination options.
    pub(super) const DSTOPTS: u8 = 60;
}

/// Length of an IPv4 header without options.
pub const IPV4_HLEN: usize = 20;
/// Length of the fixed IPv6 header.
pub const IPV6_HLEN: usize = 40;
/// Length of a TCP header without options.
pub const TCP_HLEN: usize = 20;
/// Length of a UDP header.
pub const UDP_HLEN: usize = 8;
/// Length of an ICMP or ICMPv6 header (what precedes the quoted packet of an error).
pub const ICMP_HLEN: usize = 8;

/// IPv4 `frag_off` bits.
const IPV4_DF: u16 = 0x4000;
const IPV4_MF: u16 = 0x2000;
const IPV4_OFFSET: u16 = 0x1fff;

/// Why a packet cannot be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Malformed {
    /// The bytes given end before a header that is needed (more bytes might help).
    Truncated,
    /// The version nibble does not match the address family (or the family is unknown).
    BadVersion,
    /// An IPv4 header length below 5 words.
    BadHeaderLength,
    /// A length field that contradicts the headers: an IPv4 `tot_len` shorter than the IP
    /// header, or an IP packet too short for its extension or transport headers.
    BadLength,
}

/// The headers of a packet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    /// Address family: [`af::INET`] or [`af::INET6`].
    pub af: u16,
    /// Transport protocol (for IPv6, after skipping hop-by-hop, routing, destination-options and
    /// fragment extension headers).
    pub protocol: u8,
    /// Offset of the transport header.
    pub l4_off: usize,
    /// Source address (IPv4 in the first 4 bytes).
    pub saddr: [u8; 16],
    /// Destination address (IPv4 in the first 4 bytes).
    pub daddr: [u8; 16],
    /// TCP/UDP source port as on the wire (0 for other protocols, and for non-first fragments).
    pub sport: u16,
    /// TCP/UDP destination port as on the wire (0 for other protocols, and for non-first
    /// fragments).
    pub dport: u16,
    /// TCP flags byte (offset 13 of the TCP header), 0 otherwise.
    pub tcp_flags: u8,
    /// ICMP/ICMPv6 type (0 otherwise).
    pub icmp_type: u8,
    /// ICMP/ICMPv6 code (0 otherwise).
    pub icmp_code: u8,
    /// Length of the IP packet as its header says (IPv4 tot_len; IPv6 40 + payload_len).
    pub ip_len: usize,
    /// A fragment (IPv4 MF or offset != 0; IPv6 fragment header present).
    pub fragment: bool,
    /// A fragment other than the first (its transport header is not in this packet).
    pub later_fragment: bool,
    /// IPv4 TTL / IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 TOS / IPv6 traffic class.
    pub tos: u8,
    /// IPv4 DF bit (false for IPv6).
    pub df: bool,
}

/// `N` bytes of `p` at `off`, or [`Malformed::Truncated`].
fn bytes<const N: usize>(p: &[u8], off: usize) -> Result<[u8; N], Malformed> {
    let end = off.checked_add(N).ok_or(Malformed::Truncated)?;
    let s = p.get(off..end).ok_or(Malformed::Truncated)?;
    <[u8; N]>::try_from(s).map_err(|_| Malformed::Truncated)
}

/// The `N` bytes of `p` at `off`, writable, or [`Malformed::Truncated`].
fn bytes_mut<const N: usize>(p: &mut [u8], off: usize) -> Result<&mut [u8; N], Malformed> {
    let end = off.checked_add(N).ok_or(Malformed::Truncated)?;
    let s = p.get_mut(off..end).ok_or(Malformed::Truncated)?;
    <&mut [u8; N]>::try_from(s).map_err(|_| Malformed::Truncated)
}

/// Checks that `len` bytes at `off` lie within `limit`, or returns `err`.
fn within(off: usize, len: usize, limit: usize, err: Malformed) -> Result<usize, Malformed> {
    match off.checked_add(len) {
        Some(end) if end <= limit => Ok(end),
        _ => Err(err),
    }
}

/// An IPv4 address in the `[u8; 16]` form.
fn v4addr(a: [u8; 4]) -> [u8; 16] {
    let [a0, a1, a2, a3] = a;
    let mut r = [0u8; 16];
    r[0] = a0;
    r[1] = a1;
    r[2] = a2;
    r[3] = a3;
    r
}

/// Parses the IPv4 header.
fn parse_v4(pkt: &[u8]) -> Result<Headers, Malformed> {
    let first = *pkt.first().ok_or(Malformed::Truncated)?;
    if first >> 4 != 4 {
        return Err(Malformed::BadVersion);
    }
    let hlen = usize::from(first & 0x0f) * 4;
    if hlen < IPV4_HLEN {
        return Err(Malformed::BadHeaderLength);
    }
    let b = bytes::<IPV4_HLEN>(pkt, 0)?;
    let ip_len = usize::from(u16::from_be_bytes([b[2], b[3]]));
    if ip_len < hlen {
        return Err(Malformed::BadLength);
    }
    if pkt.len() < hlen {
        return Err(Malformed::Truncated);
    }
    let frag = u16::from_be_bytes([b[6], b[7]]);
    let offset = frag & IPV4_OFFSET;
    Ok(Headers {
        af: af::INET,
        protocol: b[9],
        l4_off: hlen,
        saddr: v4addr([b[12], b[13], b[14], b[15]]),
        daddr: v4addr([b[16], b[17], b[18], b[19]]),
        ip_len,
        fragment: frag & IPV4_MF != 0 || offset != 0,
        later_fragment: offset != 0,
        ttl: b[8],
        tos: b[1],
        df: frag & IPV4_DF != 0,
        ..Headers::default()
    })
}

/// Parses the IPv6 header and the extension headers that follow it.
fn parse_v6(pkt: &[u8]) -> Result<Headers, Malformed> {
    let first = *pkt.first().ok_or(Malformed::Truncated)?;
    if first >> 4 != 6 {
        return Err(Malformed::BadVersion);
    }
    let b = bytes::<IPV6_HLEN>(pkt, 0)?;
    let ip_len = IPV6_HLEN + usize::from(u16::from_be_bytes([b[4], b[5]]));
    let mut h = Headers {
        af: af::INET6,
        saddr: bytes::<16>(pkt, 8)?,
        daddr: bytes::<16>(pkt, 24)?,
        ip_len,
        ttl: b[7],
        tos: ((first & 0x0f) << 4) | (b[1] >> 4),
        ..Headers::default()
    };
    let mut nexthdr = b[6];
    let mut off = IPV6_HLEN;
    loop {
        match nexthdr {
            exthdr::HOPOPTS | exthdr::ROUTING | exthdr::DSTOPTS => {
                within(off, 2, ip_len, Malformed::BadLength)?;
                let [next, len] = bytes::<2>(pkt, off)?;
                let end = within(
                    off,
                    (usize::from(len) + 1) * 8,
                    ip_len,
                    Malformed::BadLength,
                )?;
                if end > pkt.len() {
                    return Err(Malformed::Truncated);
                }
                nexthdr = next;
                off = end;
            }
            exthdr::FRAGMENT => {
                let end = within(off, 8, ip_len, Malformed::BadLength)?;
                let f = bytes::<8>(pkt, off)?;
                let offset = u16::from_be_bytes([f[2], f[3]]) >> 3;
                nexthdr = f[0];
                off = end;
                h.fragment = true;
                if offset != 0 {
                    // The headers that follow are in the first fragment.
                    h.later_fragment = true;
                    break;
                }
            }
            _ => break,
        }
    }
    h.protocol = nexthdr;
    h.l4_off = off;
    Ok(h)
}

/// Parses the transport header of a first fragment or unfragmented packet: UDP, ICMP and
/// ICMPv6 need 8 bytes, TCP 14 with `tcp_flags` read, or only 8 without.
fn parse_l4(h: &mut Headers, pkt: &[u8], tcp_flags: bool) -> Result<(), Malformed> {
    let is_icmp = matches!(
        (h.af, h.protocol),
        (af::INET, ipproto::ICMP) | (af::INET6, ipproto::ICMPV6)
    );
    // What the IP length must leave room for, and what must be present.
    let (min, need) = match h.protocol {
        ipproto::TCP if tcp_flags => (TCP_HLEN, 14),
        ipproto::TCP => (TCP_HLEN, 8),
        ipproto::UDP => (UDP_HLEN, UDP_HLEN),
        _ if is_icmp => (ICMP_HLEN, ICMP_HLEN),
        _ => return Ok(()),
    };
    within(h.l4_off, min, h.ip_len, Malformed::BadLength)?;
    within(h.l4_off, need, pkt.len(), Malformed::Truncated)?;
    let t = bytes::<8>(pkt, h.l4_off)?;
    if is_icmp {
        h.icmp_type = t[0];
        h.icmp_code = t[1];
    } else {
        h.sport = u16::from_ne_bytes([t[0], t[1]]);
        h.dport = u16::from_ne_bytes([t[2], t[3]]);
        if h.protocol == ipproto::TCP && tcp_flags {
            let at = h.l4_off.checked_add(13).ok_or(Malformed::Truncated)?;
            h.tcp_flags = *pkt.get(at).ok_or(Malformed::Truncated)?;
        }
    }
    Ok(())
}

/// [`parse`], with or without the TCP flags (which need 14 bytes of TCP rather than 8).
fn parse_with(af: u16, pkt: &[u8], tcp_flags: bool) -> Result<Headers, Malformed> {
    let mut h = match af {
        af::INET => parse_v4(pkt)?,
        af::INET6 => parse_v6(pkt)?,
        _ => return Err(Malformed::BadVersion),
    };
    if !h.later_fragment {
        parse_l4(&mut h, pkt, tcp_flags)?;
    }
    Ok(h)
}

/// Parses the packet at the start of `pkt`.
///
/// `af` says which IP version is expected: a mismatching version nibble (or an unknown family)
/// is [`Malformed::BadVersion`]. `pkt` may be shorter than `ip_len` (only the first bytes of a
/// big packet are given) but must hold the IP header(s) and, for a first fragment or
/// unfragmented TCP, UDP, ICMP (IPv4) or ICMPv6 (IPv6) packet, the first 8 bytes of the
/// transport header, 14 for TCP (to reach the flags): otherwise [`Malformed::Truncated`]. Bytes
/// after `ip_len` (link-layer padding) are allowed and ignored.
///
/// IPv4: `ihl >= 5` (else [`Malformed::BadHeaderLength`]), `tot_len >= ihl * 4`. Both
/// families: the IP length must leave room for the extension headers and for a whole TCP (20
/// bytes), UDP (8) or ICMP (8) header (else [`Malformed::BadLength`]; so a jumbogram or a BIG
/// TCP packet, whose length field is zero, is rejected). [`Malformed::Truncated`] means that
/// more bytes are needed to decide; a prefix of a packet that parses either parses to the same
/// headers or is [`Malformed::Truncated`].
pub fn parse(af: u16, pkt: &[u8]) -> Result<Headers, Malformed> {
    parse_with(af, pkt, true)
}

/// Whether an ICMP (IPv4: types 3 destination unreachable, 4 source quench, 11 time exceeded)
/// or ICMPv6 (type < 128) message is an error about another packet.
///
/// False for any other protocol and for a non-first fragment.
pub fn is_icmp_error(h: &Headers) -> bool {
    if h.later_fragment {
        return false;
    }
    match (h.af, h.protocol) {
        (af::INET, ipproto::ICMP) => matches!(h.icmp_type, 3 | 4 | 11),
        (af::INET6, ipproto::ICMPV6) => h.icmp_type < 128,
        _ => false,
    }
}

/// An ICMP error and the packet it quotes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IcmpError {
    /// The headers of the error itself.
    pub outer: Headers,
    /// Offset of the quoted IP header in the packet.
    pub inner_off: usize,
    /// The quoted packet's headers, as [`parse`] of the bytes from `inner_off` gives them: its
    /// `l4_off` is relative to `inner_off` (see [`IcmpError::inner_l4_off`]), and its `ip_len`
    /// may exceed what is quoted.
    pub inner: Headers,
}

impl IcmpError {
    /// Offset of the quoted transport header in the packet: `inner_off + inner.l4_off`.
    pub fn inner_l4_off(&self) -> Option<usize> {
        self.inner_off.checked_add(self.inner.l4_off)
    }
}

/// Parses an ICMP error and the header it quotes.
///
/// Needs the outer headers, the quoted IP header(s) and 8 bytes of the quoted transport header
/// (TCP too: the quoted `tcp_flags` are then always 0, so that the result does not depend on
/// how much was quoted). The quoted packet must be of the same family; what it quotes ends at
/// the outer `ip_len`. `Ok(None)` when the packet is not an ICMP error (another protocol, an
/// ICMP message that is not an error, a non-first fragment), `Err` when it is malformed, outer
/// or quoted part. The ICMP checksum is not verified here.
pub fn parse_icmp_error(af: u16, pkt: &[u8]) -> Result<Option<IcmpError>, Malformed> {
    let outer = parse(af, pkt)?;
    if !is_icmp_error(&outer) {
        return Ok(None);
    }
    // parse() checked that the ICMP header lies within both ip_len and pkt.
    let inner_off = within(outer.l4_off, ICMP_HLEN, outer.ip_len, Malformed::BadLength)?;
    let end = pkt.len().min(outer.ip_len);
    let quoted = pkt.get(inner_off..end).ok_or(Malformed::Truncated)?;
    let inner = parse_with(af, quoted, false)?;
    Ok(Some(IcmpError {
        outer,
        inner_off,
        inner,
    }))
}

/// How the transport checksum of an skb is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsumMode {
    /// The field holds the full checksum: update it incrementally.
    Full,
    /// `CHECKSUM_PARTIAL`: the field holds the pseudo-header sum; update only for address
    /// changes, port changes need nothing.
    Partial,
}

/// Which end of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The source address and port.
    Src,
    /// The destination address and port.
    Dst,
}

impl Side {
    /// The other end.
    fn other(self) -> Side {
        match self {
            Side::Src => Side::Dst,
            Side::Dst => Side::Src,
        }
    }
}

/// Where an address of `side` is in an IP header of family `af`: (offset, length, offset of
/// the header checksum if any).
fn addr_layout(af: u16, side: Side) -> Result<(usize, usize, Option<usize>), Malformed> {
    match (af, side) {
        (af::INET, Side::Src) => Ok((12, 4, Some(10))),
        (af::INET, Side::Dst) => Ok((16, 4, Some(10))),
        (af::INET6, Side::Src) => Ok((8, 16, None)),
        (af::INET6, Side::Dst) => Ok((24, 16, None)),
        _ => Err(Malformed::BadVersion),
    }
}

/// Checks the version nibble of the IP header at `off` against `af` and that its fixed part
/// is present.
fn check_ip_header(pkt: &[u8], off: usize, af: u16) -> Result<(), Malformed> {
    let (version, hlen) = match af {
        af::INET => (4, IPV4_HLEN),
        af::INET6 => (6, IPV6_HLEN),
        _ => return Err(Malformed::BadVersion),
    };
    let first = *pkt.get(off).ok_or(Malformed::Truncated)?;
    if first >> 4 != version {
        return Err(Malformed::BadVersion);
    }
    within(off, hlen, pkt.len(), Malformed::Truncated)?;
    Ok(())
}

/// An address change planned in an IP header at `base`: where, what it was, what it becomes,
/// and the header checksum to fix with it.
struct AddrChange {
    off: usize,
    len: usize,
    old: [u8; 16],
    new: [u8; 16],
    ip_csum_off: Option<usize>,
}

impl AddrChange {
    /// Plans the change of the `side` address of the IP header of family `af` at `base`.
    fn plan(
        pkt: &[u8],
        base: usize,
        af: u16,
        side: Side,
        addr: &[u8; 16],
    ) -> Result<Self, Malformed> {
        check_ip_header(pkt, base, af)?;
        let (aoff, len, csum_off) = addr_layout(af, side)?;
        let off = base.checked_add(aoff).ok_or(Malformed::Truncated)?;
        let mut old = [0u8; 16];
        let mut new = [0u8; 16];
        let end = within(off, len, pkt.len(), Malformed::Truncated)?;
        let cur = pkt.get(off..end).ok_or(Malformed::Truncated)?;
        for ((o, n), (c, a)) in old.iter_mut().zip(new.iter_mut()).zip(cur.iter().zip(addr)) {
            *o = *c;
            *n = *a;
        }
        let ip_csum_off = match csum_off {
            Some(c) => {
                let c = base.checked_add(c).ok_or(Malformed::Truncated)?;
                within(c, 2, pkt.len(), Malformed::Truncated)?;
                Some(c)
            }
            None => None,
        };
        Ok(AddrChange {
            off,
            len,
            old,
            new,
            ip_csum_off,
        })
    }

    /// The old address bytes.
    fn old_bytes(&self) -> &[u8] {
        self.old.get(..self.len).unwrap_or(&[])
    }

    /// The new address bytes.
    fn new_bytes(&self) -> &[u8] {
        self.new.get(..self.len).unwrap_or(&[])
    }

    /// Writes the new address and fixes the IPv4 header checksum.
    fn apply(&self, pkt: &mut [u8]) -> Result<(), Malformed> {
        let end = within(self.off, self.len, pkt.len(), Malformed::Truncated)?;
        let dst = pkt.get_mut(self.off..end).ok_or(Malformed::Truncated)?;
        for (d, s) in dst.iter_mut().zip(self.new_bytes()) {
            *d = *s;
        }
        if let Some(c) = self.ip_csum_off {
            let f = bytes_mut::<2>(pkt, c)?;
            let v = csum::replace(u16::from_be_bytes(*f), self.old_bytes(), self.new_bytes());
            *f = v.to_be_bytes();
        }
        Ok(())
    }
}

/// Rewrites the source or destination address and port of a TCP or UDP packet.
///
/// Fixes the IPv4 header checksum, and the TCP/UDP checksum per `mode`: in
/// [`CsumMode::Full`], incrementally for the address and the port; a UDP checksum of 0 means
/// "none" and stays 0 (IPv4, and IPv6 as ip_vs does: a zero UDP/IPv6 checksum is invalid or
/// RFC 6935's deliberate "none"); an updated UDP checksum that comes out 0 is written 0xffff.
/// In [`CsumMode::Partial`], only for the address. `pkt` must hold the IP header and the whole
/// TCP (20 bytes at least) or UDP (8) header. Other protocols and non-first fragments: only
/// the address (and IPv4 header checksum); in particular an ICMPv6 checksum is not updated.
///
/// `h` is what [`parse`] returned for `pkt`. Everything is checked before anything is written:
/// on an error, `pkt` is unchanged.
pub fn rewrite(
    pkt: &mut [u8],
    h: &Headers,
    side: Side,
    addr: &[u8; 16],
    port: u16,
    mode: CsumMode,
) -> Result<(), Malformed> {
    let change = AddrChange::plan(pkt, 0, h.af, side, addr)?;
    let (l4_len, csum_at) = match h.protocol {
        _ if h.later_fragment => return change.apply(pkt),
        ipproto::TCP => (TCP_HLEN, 16),
        ipproto::UDP => (UDP_HLEN, 6),
        _ => return change.apply(pkt),
    };
    within(h.l4_off, l4_len, pkt.len(), Malformed::Truncated)?;
    let port_off = match side {
        Side::Src => h.l4_off,
        Side::Dst => h.l4_off.checked_add(2).ok_or(Malformed::Truncated)?,
    };
    let csum_off = h.l4_off.checked_add(csum_at).ok_or(Malformed::Truncated)?;
    let old_port = bytes::<2>(pkt, port_off)?;
    let new_port = port.to_ne_bytes();
    let field = u16::from_be_bytes(bytes::<2>(pkt, csum_off)?);
    let udp = h.protocol == ipproto::UDP;
    let new_field = match mode {
        CsumMode::Full if udp && field == 0 => 0,
        CsumMode::Full => {
            let f = csum::replace(field, change.old_bytes(), change.new_bytes());
            let f = csum::replace(f, &old_port, &new_port);
            if udp && f == 0 {
                0xffff
            } else {
                f
            }
        }
        CsumMode::Partial => csum::replace_partial(field, change.old_bytes(), change.new_bytes()),
    };
    // Checked above: nothing below fails.
    change.apply(pkt)?;
    *bytes_mut::<2>(pkt, port_off)? = new_port;
    *bytes_mut::<2>(pkt, csum_off)? = new_field.to_be_bytes();
    Ok(())
}

/// NAT of an ICMP error, whole packet in `pkt` (up to `e.outer.ip_len`; more bytes are
/// ignored).
///
/// [`Side::Src`] (an error from a real server going to the client): outer source := `addr`,
/// quoted destination address := `addr` and quoted destination port := `port`.
/// [`Side::Dst`] (an error from a client about a reply): outer destination := `addr`, quoted
/// source := `addr`, quoted source port := `port`. The quoted port is only written for a
/// quoted TCP or UDP first fragment or unfragmented packet.
///
/// Then fixes the outer IPv4 header checksum and the quoted IPv4 header checksum, and
/// recomputes the ICMP checksum over the whole ICMP message (ICMPv6: including the
/// pseudo-header with the new outer addresses; a routing header's final destination is not
/// looked for). The quoted transport checksum is left alone, as ip_vs does.
///
/// `e` is what [`parse_icmp_error`] returned for `pkt`. Everything is checked before anything
/// is written: on an error, `pkt` is unchanged.
pub fn rewrite_icmp_error(
    pkt: &mut [u8],
    e: &IcmpError,
    side: Side,
    addr: &[u8; 16],
    port: u16,
) -> Result<(), Malformed> {
    let o = &e.outer;
    let i = &e.inner;
    let end = o.ip_len;
    if pkt.len() < end {
        return Err(Malformed::Truncated);
    }
    let msg = pkt.get_mut(..end).ok_or(Malformed::Truncated)?;
    let icmp_end = within(o.l4_off, ICMP_HLEN, end, Malformed::BadLength)?;
    if e.inner_off < icmp_end {
        return Err(Malformed::BadLength);
    }
    let outer = AddrChange::plan(msg, 0, o.af, side, addr)?;
    let inner = AddrChange::plan(msg, e.inner_off, i.af, side.other(), addr)?;
    let port_off = match i.protocol {
        ipproto::TCP | ipproto::UDP if !i.later_fragment => {
            let l4 = e.inner_l4_off().ok_or(Malformed::Truncated)?;
            let off = match side {
                Side::Src => l4.checked_add(2).ok_or(Malformed::Truncated)?,
                Side::Dst => l4,
            };
            within(off, 2, msg.len(), Malformed::Truncated)?;
            Some(off)
        }
        _ => None,
    };
    // Within the ICMP header, checked above.
    let csum_off = o.l4_off.checked_add(2).ok_or(Malformed::Truncated)?;
    let icmp_len = end.checked_sub(o.l4_off).ok_or(Malformed::BadLength)?;
    let icmp_len = u32::try_from(icmp_len).map_err(|_| Malformed::BadLength)?;
    // Checked above: nothing below fails.
    outer.apply(msg)?;
    inner.apply(msg)?;
    if let Some(off) = port_off {
        *bytes_mut::<2>(msg, off)? = port.to_ne_bytes();
    }
    *bytes_mut::<2>(msg, csum_off)? = [0, 0];
    let init = if o.af == af::INET6 {
        let (saddr, daddr) = (bytes::<16>(msg, 8)?, bytes::<16>(msg, 24)?);
        pseudo_header_sum_v6(&saddr, &daddr, icmp_len, ipproto::ICMPV6)
    } else {
        0
    };
    let data = msg.get(o.l4_off..).ok_or(Malformed::Truncated)?;
    let c = !csum::fold(csum::sum(data, init));
    *bytes_mut::<2>(msg, csum_off)? = c.to_be_bytes();
    Ok(())
}

/// Unfolded sum of an IPv6 pseudo-header (RFC 8200 section 8.1): addresses, `len` (the
/// upper-layer packet length) and next header.
///
/// `!fold(...)` of it is `csum_ipv6_magic(...)` of Linux for a zero data sum; `fold(...)` is
/// what a `CHECKSUM_PARTIAL` skb holds in its checksum field.
pub fn pseudo_header_sum_v6(saddr: &[u8; 16], daddr: &[u8; 16], len: u32, next_header: u8) -> u32 {
    let s = csum::sum(saddr, 0);
    let s = csum::sum(daddr, s);
    let s = csum::sum(&len.to_be_bytes(), s);
    csum::sum(&[0, 0, 0, next_header], s)
}

/// Unfolded sum of an IPv4 pseudo-header (RFC 9293 section 3.1): addresses, zero, protocol,
/// and `len`, the length of the transport header and data.
pub fn pseudo_header_sum_v4(saddr: &[u8; 4], daddr: &[u8; 4], len: u16, protocol: u8) -> u32 {
    let s = csum::sum(saddr, 0);
    let s = csum::sum(daddr, s);
    let [l0, l1] = len.to_be_bytes();
    csum::sum(&[0, protocol, l0, l1], s)
}

/// Writes a 20-byte IPv4 header (no options) into `buf[..20]`: version 4, ihl 5, `tos`,
/// `tot_len`, `id`, the DF flag if `df` (no fragment offset), `ttl`, `protocol`, the
/// addresses, and the header checksum computed.
///
/// [`Malformed::Truncated`] if `buf` is shorter than 20 bytes, [`Malformed::BadLength`] if
/// `tot_len` is below 20; `buf` is then unchanged.
#[allow(clippy::too_many_arguments)]
pub fn write_ipv4_header(
    buf: &mut [u8],
    tos: u8,
    tot_len: u16,
    id: u16,
    df: bool,
    ttl: u8,
    protocol: u8,
    saddr: &[u8; 4],
    daddr: &[u8; 4],
) -> Result<(), Malformed> {
    if usize::from(tot_len) < IPV4_HLEN {
        return Err(Malformed::BadLength);
    }
    let h = bytes_mut::<IPV4_HLEN>(buf, 0)?;
    let [l0, l1] = tot_len.to_be_bytes();
    let [i0, i1] = id.to_be_bytes();
    let frag = if df { 0x40 } else { 0 };
    let [s0, s1, s2, s3] = *saddr;
    let [d0, d1, d2, d3] = *daddr;
    *h = [
        0x45, tos, l0, l1, i0, i1, frag, 0, ttl, protocol, 0, 0, s0, s1, s2, s3, d0, d1, d2, d3,
    ];
    let [c0, c1] = csum::checksum(h).to_be_bytes();
    h[10] = c0;
    h[11] = c1;
    Ok(())
}

/// Writes a 40-byte IPv6 header into `buf[..40]`: version 6, traffic class `tclass`, flow label
/// 0, `payload_len`, `next_header`, `hop_limit` and the addresses.
///
/// [`Malformed::Truncated`] if `buf` is shorter than 40 bytes; `buf` is then unchanged.
#[allow(clippy::too_many_arguments)]
pub fn write_ipv6_header(
    buf: &mut [u8],
    tclass: u8,
    payload_len: u16,
    next_header: u8,
    hop_limit: u8,
    saddr: &[u8; 16],
    daddr: &[u8; 16],
) -> Result<(), Malformed> {
    let h = bytes_mut::<IPV6_HLEN>(buf, 0)?;
    let [p0, p1] = payload_len.to_be_bytes();
    let fixed = [
        0x60 | (tclass >> 4),
        (tclass & 0x0f) << 4,
        0,
        0,
        p0,
        p1,
        next_header,
        hop_limit,
    ];
    for (d, s) in h.iter_mut().zip(fixed.iter().chain(saddr).chain(daddr)) {
        *d = *s;
    }
    Ok(())
}
