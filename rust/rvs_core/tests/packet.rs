// SPDX-License-Identifier: GPL-2.0

//! Packet parsing and rewriting against packets built, and checksums computed, from scratch.

use std::vec;
use std::vec::Vec;

use crate::abi::af;
use crate::packet::{
    ipproto, is_icmp_error, parse, parse_icmp_error, rewrite, rewrite_icmp_error,
    write_ipv4_header, write_ipv6_header, CsumMode, Headers, IcmpError, Malformed, Side,
};

use super::rng::Rng;

// ---------------------------------------------------------------------------------------------
// Reference arithmetic and packet builders, independent of the code under test.

/// Packet-shaped random values, on the shared generator.
impl Rng {
    fn bytes_upto(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max);
        self.bytes(n)
    }

    fn addr(&mut self, family: u16) -> [u8; 16] {
        let mut a = [0u8; 16];
        let n = if family == af::INET { 4 } else { 16 };
        for b in a.iter_mut().take(n) {
            *b = self.next() as u8;
        }
        a
    }

    fn port(&mut self) -> u16 {
        match self.below(8) {
            0 => 0,
            1 => 0xffff,
            _ => self.next() as u16,
        }
    }
}

/// Folded ones'-complement sum, word by word.
fn ref_fold(data: &[u8]) -> u16 {
    let mut acc: u64 = 0;
    for w in data.chunks(2) {
        acc += (u64::from(w[0]) << 8) | w.get(1).map_or(0, |&b| u64::from(b));
    }
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn be16(p: &[u8], off: usize) -> u16 {
    u16::from_be_bytes([p[off], p[off + 1]])
}

fn put16(p: &mut [u8], off: usize, v: u16) {
    p[off..off + 2].copy_from_slice(&v.to_be_bytes());
}

/// The pseudo-header of the packet in `p` for a transport of `len` bytes.
fn pseudo(family: u16, p: &[u8], proto: u8, len: usize) -> Vec<u8> {
    let mut v = Vec::new();
    if family == af::INET {
        v.extend_from_slice(&p[12..20]);
        v.extend_from_slice(&[0, proto]);
        v.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        v.extend_from_slice(&p[8..40]);
        v.extend_from_slice(&(len as u32).to_be_bytes());
        v.extend_from_slice(&[0, 0, 0, proto]);
    }
    v
}

/// Offset of a TCP/UDP checksum field.
fn l4_csum_at(proto: u8) -> usize {
    match proto {
        ipproto::TCP => 16,
        ipproto::UDP => 6,
        _ => 2,
    }
}

/// Recomputes every checksum of a packet from scratch: the IPv4 header checksum and the
/// transport checksum (TCP, UDP with 0 sent as 0xffff, ICMP, ICMPv6 with its pseudo-header).
fn fix_all(family: u16, p: &mut [u8], l4: usize, proto: u8) {
    if family == af::INET {
        fix_ip4(p, 0);
    }
    let at = l4 + l4_csum_at(proto);
    put16(p, at, 0);
    let mut data = if proto == ipproto::ICMP {
        Vec::new()
    } else {
        pseudo(family, p, proto, p.len() - l4)
    };
    data.extend_from_slice(&p[l4..]);
    let mut c = !ref_fold(&data);
    if proto == ipproto::UDP && c == 0 {
        c = 0xffff;
    }
    put16(p, at, c);
}

/// Recomputes the checksum of the IPv4 header at `off`.
fn fix_ip4(p: &mut [u8], off: usize) {
    let hl = usize::from(p[off] & 15) * 4;
    put16(p, off + 10, 0);
    let c = !ref_fold(&p[off..off + hl]);
    put16(p, off + 10, c);
}

/// Whether every checksum of a packet verifies.
fn all_ok(family: u16, p: &[u8], l4: usize, proto: u8) -> bool {
    let mut q = p.to_vec();
    fix_all(family, &mut q, l4, proto);
    q == p
}

/// A TCP or UDP segment with the checksum field zero.
fn transport(rng: &mut Rng, proto: u8, sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&sport.to_ne_bytes());
    t.extend_from_slice(&dport.to_ne_bytes());
    if proto == ipproto::TCP {
        t.extend_from_slice(&rng.bytes(8)); // seq, ack
        t.push(5 << 4);
        t.push(0x12); // SYN|ACK
        t.extend_from_slice(&rng.bytes(2)); // window
        t.extend_from_slice(&[0, 0]); // checksum
        t.extend_from_slice(&rng.bytes(2)); // urgent
    } else {
        t.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
        t.extend_from_slice(&[0, 0]);
    }
    t.extend_from_slice(payload);
    t
}

/// An IPv4 header of `20 + opts` bytes for a payload of `len` bytes, checksum zero.
fn v4_header(proto: u8, s: &[u8; 16], d: &[u8; 16], opts: usize, len: usize, frag: u16) -> Vec<u8> {
    assert_eq!(opts % 4, 0);
    let hl = 20 + opts;
    let mut h = vec![0u8; hl];
    h[0] = 0x40 | (hl / 4) as u8;
    h[1] = 0x28;
    put16(&mut h, 2, (hl + len) as u16);
    put16(&mut h, 4, 0x1234);
    put16(&mut h, 6, frag);
    h[8] = 61;
    h[9] = proto;
    h[12..16].copy_from_slice(&s[..4]);
    h[16..20].copy_from_slice(&d[..4]);
    for (i, b) in h[20..].iter_mut().enumerate() {
        *b = if i + 1 == opts { 0 } else { 1 }; // NOPs, then EOL
    }
    h
}

/// IPv6 extension headers a test packet may carry.
#[derive(Clone, Copy)]
enum Ext {
    HopByHop(usize),
    Routing,
    DstOpts(usize),
    /// Fragment header with this offset (in 8-byte units) and MF.
    Frag(u16, bool),
}

/// An IPv6 header plus extension headers for a payload of `len` bytes of protocol `proto`.
fn v6_header(proto: u8, s: &[u8; 16], d: &[u8; 16], exts: &[Ext], len: usize) -> Vec<u8> {
    let mut h = vec![0u8; 40];
    let mut chain = Vec::new();
    let mut codes = Vec::new();
    for e in exts {
        let (code, body) = match *e {
            Ext::HopByHop(words) => (0u8, vec![1u8; 8 * (words + 1)]),
            Ext::Routing => (43, {
                let mut r = vec![0u8; 24];
                r[1] = 2;
                r
            }),
            Ext::DstOpts(words) => (60, vec![1u8; 8 * (words + 1)]),
            Ext::Frag(off, mf) => (44, {
                let mut f = vec![0u8; 8];
                put16(&mut f, 2, (off << 3) | u16::from(mf));
                f[4..8].copy_from_slice(&[0xab, 0xcd, 0xef, 0x01]);
                f
            }),
        };
        codes.push(code);
        chain.push(body);
    }
    codes.push(proto);
    let mut ext_bytes = Vec::new();
    for (i, mut body) in chain.into_iter().enumerate() {
        body[0] = codes[i + 1];
        if codes[i] != 44 {
            body[1] = (body.len() / 8 - 1) as u8;
        }
        ext_bytes.extend_from_slice(&body);
    }
    h[0] = 0x6a; // traffic class 0xab
    h[1] = 0xb1;
    h[2] = 0x23;
    h[3] = 0x45;
    put16(&mut h, 4, (ext_bytes.len() + len) as u16);
    h[6] = codes[0];
    h[7] = 63;
    h[8..24].copy_from_slice(s);
    h[24..40].copy_from_slice(d);
    h.extend_from_slice(&ext_bytes);
    h
}

/// A test packet: bytes, transport offset and protocol.
#[derive(Clone)]
struct Pkt {
    family: u16,
    bytes: Vec<u8>,
    l4: usize,
    proto: u8,
}

impl Pkt {
    fn ok(&self) -> bool {
        all_ok(self.family, &self.bytes, self.l4, self.proto)
    }
}

/// A correct TCP or UDP packet.
#[allow(clippy::too_many_arguments)]
fn build(
    rng: &mut Rng,
    family: u16,
    proto: u8,
    s: &[u8; 16],
    d: &[u8; 16],
    sport: u16,
    dport: u16,
    payload: &[u8],
    opts: usize,
    exts: &[Ext],
) -> Pkt {
    let t = transport(rng, proto, sport, dport, payload);
    let mut p = if family == af::INET {
        v4_header(proto, s, d, opts, t.len(), 0x4000)
    } else {
        v6_header(proto, s, d, exts, t.len())
    };
    let l4 = p.len();
    p.extend_from_slice(&t);
    fix_all(family, &mut p, l4, proto);
    Pkt {
        family,
        bytes: p,
        l4,
        proto,
    }
}

fn a4(a: [u8; 4]) -> [u8; 16] {
    let mut r = [0u8; 16];
    r[..4].copy_from_slice(&a);
    r
}

fn a6(last: u8) -> [u8; 16] {
    let mut r = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    r[15] = last;
    r
}

fn families() -> [u16; 2] {
    [af::INET, af::INET6]
}

/// Sample packets of every shape, for the no-panic loops.
fn samples() -> Vec<Pkt> {
    let mut rng = Rng(42);
    let mut v = Vec::new();
    for family in families() {
        for proto in [ipproto::TCP, ipproto::UDP] {
            let (s, d) = (rng.addr(family), rng.addr(family));
            let payload = rng.bytes(13);
            v.push(build(
                &mut rng,
                family,
                proto,
                &s,
                &d,
                1,
                2,
                &payload,
                8,
                &[],
            ));
            v.push(build(
                &mut rng,
                family,
                proto,
                &s,
                &d,
                3,
                4,
                &[],
                40,
                &[
                    Ext::HopByHop(1),
                    Ext::Routing,
                    Ext::DstOpts(0),
                    Ext::Frag(0, true),
                ],
            ));
        }
    }
    v.push(icmp4_error(3, 3, ipproto::UDP, 100).0);
    v.push(icmp4_error(11, 0, ipproto::TCP, 8).0);
    v.push(icmp6_error(1, 4, ipproto::TCP, 200, &[Ext::DstOpts(1)]).0);
    v.push(icmp6_error(2, 0, ipproto::UDP, 1000, &[]).0);
    v
}

// ---------------------------------------------------------------------------------------------
// Parsing.

#[test]
fn parse_ipv4_tcp() {
    let mut rng = Rng(1);
    let s = a4([10, 0, 0, 1]);
    let d = a4([192, 168, 1, 2]);
    let sport = 40000u16.to_be();
    let dport = 80u16.to_be();
    let p = build(
        &mut rng,
        af::INET,
        ipproto::TCP,
        &s,
        &d,
        sport,
        dport,
        b"hello",
        0,
        &[],
    );
    let h = parse(af::INET, &p.bytes).unwrap();
    assert_eq!(
        h,
        Headers {
            af: af::INET,
            protocol: ipproto::TCP,
            l4_off: 20,
            saddr: s,
            daddr: d,
            sport,
            dport,
            tcp_flags: 0x12,
            icmp_type: 0,
            icmp_code: 0,
            ip_len: 45,
            fragment: false,
            later_fragment: false,
            ttl: 61,
            tos: 0x28,
            df: true,
        }
    );
    // Ports as on the wire.
    assert_eq!(h.dport.to_ne_bytes(), [0, 80]);
    // Only the first bytes of a big packet: fine. Link-layer padding after it: fine.
    assert_eq!(parse(af::INET, &p.bytes[..34]), Ok(h));
    assert_eq!(parse(af::INET, &p.bytes[..33]), Err(Malformed::Truncated));
    let mut padded = p.bytes.clone();
    padded.extend_from_slice(&[0; 15]);
    assert_eq!(parse(af::INET, &padded), Ok(h));
}

#[test]
fn parse_ipv4_options() {
    let mut rng = Rng(2);
    let (s, d) = (a4([1, 2, 3, 4]), a4([5, 6, 7, 8]));
    for opts in [4, 8, 40] {
        let p = build(
            &mut rng,
            af::INET,
            ipproto::UDP,
            &s,
            &d,
            7,
            9,
            b"x",
            opts,
            &[],
        );
        let h = parse(af::INET, &p.bytes).unwrap();
        assert_eq!(h.l4_off, 20 + opts);
        assert_eq!((h.sport, h.dport, h.protocol), (7, 9, ipproto::UDP));
        assert_eq!(h.ip_len, 20 + opts + 9);
        assert_eq!(
            parse(af::INET, &p.bytes[..20 + opts + 7]),
            Err(Malformed::Truncated)
        );
        assert!(p.ok());
    }
}

#[test]
fn parse_ipv4_bad_headers() {
    let mut rng = Rng(3);
    let (s, d) = (a4([1, 2, 3, 4]), a4([5, 6, 7, 8]));
    let p = build(
        &mut rng,
        af::INET,
        ipproto::TCP,
        &s,
        &d,
        1,
        2,
        &[0; 30],
        0,
        &[],
    );
    for ihl in 0..5u8 {
        let mut b = p.bytes.clone();
        b[0] = 0x40 | ihl;
        assert_eq!(parse(af::INET, &b), Err(Malformed::BadHeaderLength));
        assert_eq!(parse(af::INET, &b[..1]), Err(Malformed::BadHeaderLength));
    }
    for v in [0u8, 5, 6, 15] {
        let mut b = p.bytes.clone();
        b[0] = (v << 4) | 5;
        assert_eq!(parse(af::INET, &b), Err(Malformed::BadVersion));
    }
    assert_eq!(parse(af::INET6, &p.bytes), Err(Malformed::BadVersion));
    assert_eq!(parse(7, &p.bytes), Err(Malformed::BadVersion));
    assert_eq!(parse(0, &[]), Err(Malformed::BadVersion));
    assert_eq!(parse(af::INET, &[]), Err(Malformed::Truncated));
    // tot_len below the header length.
    let mut b = p.bytes.clone();
    put16(&mut b, 2, 19);
    assert_eq!(parse(af::INET, &b), Err(Malformed::BadLength));
    b[0] = 0x46;
    put16(&mut b, 2, 23);
    assert_eq!(parse(af::INET, &b), Err(Malformed::BadLength));
    // tot_len too short for a TCP header, or a UDP header.
    let mut b = p.bytes.clone();
    put16(&mut b, 2, 39);
    assert_eq!(parse(af::INET, &b), Err(Malformed::BadLength));
    b[9] = ipproto::UDP;
    put16(&mut b, 2, 27);
    assert_eq!(parse(af::INET, &b), Err(Malformed::BadLength));
    put16(&mut b, 2, 28);
    assert!(parse(af::INET, &b).is_ok());
    // An options header longer than the bytes given.
    let mut b = p.bytes[..22].to_vec();
    b[0] = 0x4f;
    put16(&mut b, 2, 200);
    assert_eq!(parse(af::INET, &b), Err(Malformed::Truncated));
}

#[test]
fn parse_ipv4_fragments() {
    let (s, d) = (a4([1, 2, 3, 4]), a4([5, 6, 7, 8]));
    // First fragment (MF): ports parsed.
    let mut rng = Rng(4);
    let mut p = build(
        &mut rng,
        af::INET,
        ipproto::UDP,
        &s,
        &d,
        11,
        22,
        &[9; 40],
        0,
        &[],
    );
    put16(&mut p.bytes, 6, 0x2000);
    let h = parse(af::INET, &p.bytes).unwrap();
    assert!(h.fragment && !h.later_fragment && !h.df);
    assert_eq!((h.sport, h.dport), (11, 22));
    // Later fragment: no transport header, ports 0, even a short one parses.
    for frag in [0x2001u16, 0x0005, 0x5fff] {
        let mut b = v4_header(ipproto::TCP, &s, &d, 0, 3, frag);
        b.extend_from_slice(&[1, 2, 3]);
        let h = parse(af::INET, &b).unwrap();
        assert!(h.fragment && h.later_fragment);
        assert_eq!(h.df, frag & 0x4000 != 0);
        assert_eq!((h.sport, h.dport, h.tcp_flags), (0, 0, 0));
        assert_eq!((h.protocol, h.l4_off, h.ip_len), (ipproto::TCP, 20, 23));
        assert!(!is_icmp_error(&h));
    }
}

#[test]
fn parse_ipv6_tcp_and_extensions() {
    let mut rng = Rng(5);
    let (s, d) = (a6(1), a6(2));
    let p = build(
        &mut rng,
        af::INET6,
        ipproto::TCP,
        &s,
        &d,
        5,
        6,
        b"abc",
        0,
        &[],
    );
    let h = parse(af::INET6, &p.bytes).unwrap();
    assert_eq!(
        h,
        Headers {
            af: af::INET6,
            protocol: ipproto::TCP,
            l4_off: 40,
            saddr: s,
            daddr: d,
            sport: 5,
            dport: 6,
            tcp_flags: 0x12,
            ip_len: 63,
            ttl: 63,
            tos: 0xab,
            ..Headers::default()
        }
    );
    assert_eq!(parse(af::INET, &p.bytes), Err(Malformed::BadVersion));

    let exts = [
        Ext::HopByHop(0),
        Ext::DstOpts(2),
        Ext::Routing,
        Ext::Frag(0, true),
    ];
    let p = build(
        &mut rng,
        af::INET6,
        ipproto::UDP,
        &s,
        &d,
        5,
        6,
        b"abc",
        0,
        &exts,
    );
    let h = parse(af::INET6, &p.bytes).unwrap();
    assert_eq!(h.l4_off, 40 + 8 + 24 + 24 + 8);
    assert_eq!(h.l4_off, p.l4);
    assert_eq!((h.protocol, h.sport, h.dport), (ipproto::UDP, 5, 6));
    assert!(h.fragment && !h.later_fragment && !h.df);
    assert_eq!(
        parse(af::INET6, &p.bytes[..p.l4 + 7]),
        Err(Malformed::Truncated)
    );
    for n in 40..p.l4 {
        assert_eq!(parse(af::INET6, &p.bytes[..n]), Err(Malformed::Truncated));
    }

    // A later fragment: protocol from the fragment header, no ports.
    for (off, mf) in [(1, true), (100, false), (0x1fff, true)] {
        let exts = [Ext::HopByHop(0), Ext::Frag(off, mf)];
        let mut b = v6_header(ipproto::TCP, &s, &d, &exts, 4);
        b.extend_from_slice(&[1, 2, 3, 4]);
        let h = parse(af::INET6, &b).unwrap();
        assert!(h.fragment && h.later_fragment);
        assert_eq!(
            (h.protocol, h.l4_off, h.sport, h.dport),
            (ipproto::TCP, 56, 0, 0)
        );
    }

    // Extension headers that run past payload_len.
    let mut b = p.bytes.clone();
    put16(&mut b, 4, 20);
    assert_eq!(parse(af::INET6, &b), Err(Malformed::BadLength));
    put16(&mut b, 4, 0); // a jumbogram: not handled
    assert_eq!(parse(af::INET6, &b), Err(Malformed::BadLength));
    // Transport header past payload_len.
    let mut b = p.bytes.clone();
    put16(&mut b, 4, (p.l4 - 40 + 7) as u16);
    assert_eq!(parse(af::INET6, &b), Err(Malformed::BadLength));
    // No next header: nothing more to parse.
    let mut b = v6_header(59, &s, &d, &[Ext::DstOpts(0)], 0);
    assert_eq!(parse(af::INET6, &b).unwrap().protocol, 59);
    b[0] = 0x45;
    assert_eq!(parse(af::INET6, &b), Err(Malformed::BadVersion));
}

#[test]
fn parse_icmp_headers() {
    let (e, _) = icmp4_error(3, 3, ipproto::UDP, 10);
    let h = parse(af::INET, &e.bytes).unwrap();
    assert_eq!(
        (h.protocol, h.icmp_type, h.icmp_code),
        (ipproto::ICMP, 3, 3)
    );
    assert_eq!((h.sport, h.dport, h.tcp_flags), (0, 0, 0));
    assert!(is_icmp_error(&h));
    let (e, _) = icmp6_error(2, 0, ipproto::TCP, 10, &[]);
    let h = parse(af::INET6, &e.bytes).unwrap();
    assert_eq!(
        (h.protocol, h.icmp_type, h.icmp_code),
        (ipproto::ICMPV6, 2, 0)
    );
    assert!(is_icmp_error(&h));
}

#[test]
fn icmp_error_types() {
    let h4 = |t| Headers {
        af: af::INET,
        protocol: ipproto::ICMP,
        icmp_type: t,
        ..Headers::default()
    };
    let errors: Vec<u8> = (0..=255).filter(|&t| is_icmp_error(&h4(t))).collect();
    assert_eq!(errors, [3, 4, 11]);
    let h6 = |t| Headers {
        af: af::INET6,
        protocol: ipproto::ICMPV6,
        icmp_type: t,
        ..Headers::default()
    };
    assert!((0..128).all(|t| is_icmp_error(&h6(t))));
    assert!((128..=255).all(|t| !is_icmp_error(&h6(t))));
    // The wrong protocol for the family, another protocol, a later fragment.
    let mut h = h4(3);
    h.af = af::INET6;
    assert!(!is_icmp_error(&h));
    let mut h = h6(1);
    h.af = af::INET;
    assert!(!is_icmp_error(&h));
    let mut h = h4(3);
    h.protocol = ipproto::UDP;
    assert!(!is_icmp_error(&h));
    let mut h = h6(0);
    h.later_fragment = true;
    assert!(!is_icmp_error(&h));
}

// ---------------------------------------------------------------------------------------------
// Rewriting TCP and UDP.

/// The packet as rewriting `side` to `addr`/`port` must leave it: the bytes changed by hand,
/// every checksum recomputed from scratch.
fn expected(p: &Pkt, side: Side, addr: &[u8; 16], port: u16) -> Vec<u8> {
    let mut q = p.bytes.clone();
    let (aoff, alen) = match (p.family, side) {
        (af::INET, Side::Src) => (12, 4),
        (af::INET, Side::Dst) => (16, 4),
        (_, Side::Src) => (8, 16),
        (_, Side::Dst) => (24, 16),
    };
    q[aoff..aoff + alen].copy_from_slice(&addr[..alen]);
    let poff = p.l4 + if side == Side::Src { 0 } else { 2 };
    q[poff..poff + 2].copy_from_slice(&port.to_ne_bytes());
    let at = p.l4 + l4_csum_at(p.proto);
    let none = p.proto == ipproto::UDP && be16(&q, at) == 0;
    fix_all(p.family, &mut q, p.l4, p.proto);
    if none {
        put16(&mut q, at, 0); // no checksum stays no checksum
    }
    q
}

#[test]
fn rewrite_full_matches_recompute() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for i in 0..4000 {
        let family = families()[i % 2];
        let proto = if i % 4 < 2 {
            ipproto::TCP
        } else {
            ipproto::UDP
        };
        let (s, d) = (rng.addr(family), rng.addr(family));
        let plen = rng.below(80);
        let payload = rng.bytes(plen);
        let opts = 4 * rng.below(11);
        let exts: Vec<Ext> = match rng.below(3) {
            0 => Vec::new(),
            1 => vec![Ext::HopByHop(rng.below(3))],
            _ => vec![Ext::HopByHop(0), Ext::DstOpts(1), Ext::Frag(0, true)],
        };
        let (sport, dport) = (rng.port(), rng.port());
        let p = build(
            &mut rng, family, proto, &s, &d, sport, dport, &payload, opts, &exts,
        );
        assert!(p.ok());
        let h = parse(family, &p.bytes).unwrap();
        assert_eq!((h.l4_off, h.sport, h.dport), (p.l4, sport, dport));
        for side in [Side::Src, Side::Dst] {
            let addr = rng.addr(family);
            let port = rng.port();
            let mut got = p.bytes.clone();
            rewrite(&mut got, &h, side, &addr, port, CsumMode::Full).unwrap();
            assert_eq!(got, expected(&p, side, &addr, port), "packet {i} {side:?}");
            let h2 = parse(family, &got).unwrap();
            match side {
                Side::Src => assert_eq!((h2.saddr, h2.sport), (addr, port)),
                Side::Dst => assert_eq!((h2.daddr, h2.dport), (addr, port)),
            }
        }
    }
}

#[test]
fn rewrite_full_only_headers_given() {
    // pkt holds the headers only (the payload is elsewhere): the incremental update
    // must still equal the recompute over the whole packet.
    let mut rng = Rng(77);
    for family in families() {
        for proto in [ipproto::TCP, ipproto::UDP] {
            let (s, d) = (rng.addr(family), rng.addr(family));
            let payload = rng.bytes(300);
            let p = build(
                &mut rng,
                family,
                proto,
                &s,
                &d,
                1000,
                2000,
                &payload,
                0,
                &[],
            );
            let hl = p.l4 + if proto == ipproto::TCP { 20 } else { 8 };
            let h = parse(family, &p.bytes[..hl]).unwrap();
            let addr = rng.addr(family);
            let mut got = p.bytes.clone();
            rewrite(&mut got[..hl], &h, Side::Dst, &addr, 443, CsumMode::Full).unwrap();
            assert_eq!(got, expected(&p, Side::Dst, &addr, 443));
            // One byte short of the transport header: refused, nothing written.
            let mut short = p.bytes[..hl - 1].to_vec();
            let r = rewrite(&mut short, &h, Side::Dst, &addr, 443, CsumMode::Full);
            assert_eq!(r, Err(Malformed::Truncated));
            assert_eq!(short, p.bytes[..hl - 1]);
        }
    }
}

#[test]
fn rewrite_unchanged_values_change_nothing() {
    let mut rng = Rng(8);
    for family in families() {
        for proto in [ipproto::TCP, ipproto::UDP] {
            for _ in 0..200 {
                let (s, d) = (rng.addr(family), rng.addr(family));
                let payload = rng.bytes_upto(50);
                let p = build(&mut rng, family, proto, &s, &d, 5, 6, &payload, 0, &[]);
                let h = parse(family, &p.bytes).unwrap();
                let mut got = p.bytes.clone();
                rewrite(&mut got, &h, Side::Src, &s, 5, CsumMode::Full).unwrap();
                rewrite(&mut got, &h, Side::Dst, &d, 6, CsumMode::Full).unwrap();
                assert_eq!(got, p.bytes);
            }
        }
    }
}

/// The folded (non-complemented) pseudo-header sum, as Linux stores it for CHECKSUM_PARTIAL.
fn partial_field(family: u16, p: &[u8], l4: usize, proto: u8) -> u16 {
    ref_fold(&pseudo(family, p, proto, p.len() - l4))
}

#[test]
fn rewrite_partial_tracks_the_pseudo_header() {
    let mut rng = Rng(0xfeed);
    for i in 0..4000 {
        let family = families()[i % 2];
        let proto = if i % 4 < 2 {
            ipproto::TCP
        } else {
            ipproto::UDP
        };
        let (s, d) = (rng.addr(family), rng.addr(family));
        let payload = rng.bytes_upto(100);
        let mut p = build(&mut rng, family, proto, &s, &d, 1, 2, &payload, 0, &[]);
        let at = p.l4 + l4_csum_at(proto);
        let field = partial_field(family, &p.bytes, p.l4, proto);
        put16(&mut p.bytes, at, field);
        let h = parse(family, &p.bytes).unwrap();
        let side = if rng.below(2) == 0 {
            Side::Src
        } else {
            Side::Dst
        };
        let addr = rng.addr(family);
        let port = rng.port();
        let mut got = p.bytes.clone();
        rewrite(&mut got, &h, side, &addr, port, CsumMode::Partial).unwrap();
        assert_eq!(
            be16(&got, at),
            partial_field(family, &got, p.l4, proto),
            "packet {i}"
        );
        // Everything else as a plain rewrite; the IPv4 header checksum is a full one.
        let mut want = expected(&p, side, &addr, port);
        put16(&mut want, at, be16(&got, at));
        assert_eq!(got, want);
        // Only a port change: the field is not touched.
        let mut got2 = p.bytes.clone();
        let (a, pt) = match side {
            Side::Src => (s, 999u16.to_be()),
            Side::Dst => (d, 999u16.to_be()),
        };
        rewrite(&mut got2, &h, side, &a, pt, CsumMode::Partial).unwrap();
        assert_eq!(be16(&got2, at), field);
    }
}

#[test]
fn udp_zero_checksum_stays_zero() {
    // IPv4's "no checksum"; IPv6 too (invalid, or RFC 6935's zero checksum), as ip_vs.
    let mut rng = Rng(10);
    for i in 0..1000 {
        let family = families()[i % 2];
        let (s, d) = (rng.addr(family), rng.addr(family));
        let payload = rng.bytes_upto(40);
        let mut p = build(
            &mut rng,
            family,
            ipproto::UDP,
            &s,
            &d,
            1,
            2,
            &payload,
            0,
            &[],
        );
        assert_ne!(be16(&p.bytes, p.l4 + 6), 0);
        put16(&mut p.bytes, p.l4 + 6, 0);
        let h = parse(family, &p.bytes).unwrap();
        let addr = rng.addr(family);
        let mut got = p.bytes.clone();
        let side = if i % 4 < 2 { Side::Src } else { Side::Dst };
        rewrite(&mut got, &h, side, &addr, 53, CsumMode::Full).unwrap();
        assert_eq!(be16(&got, p.l4 + 6), 0);
        assert_eq!(got, expected(&p, side, &addr, 53));
    }
}

#[test]
fn udp_checksum_that_comes_out_zero_is_written_ffff() {
    // Search for a rewrite whose true UDP checksum is 0: the field must then be 0xffff,
    // for IPv4 and IPv6.
    let mut rng = Rng(11);
    for family in families() {
        let mut found = 0;
        for _ in 0..2_000_000 {
            let (s, d) = (rng.addr(family), rng.addr(family));
            let p = build(&mut rng, family, ipproto::UDP, &s, &d, 1, 2, b"xy", 0, &[]);
            let h = parse(family, &p.bytes).unwrap();
            // Choose the new port that makes the sum come out 0xffff (checksum 0).
            let mut q = p.bytes.clone();
            put16(&mut q, p.l4 + 2, 0);
            put16(&mut q, p.l4 + 6, 0);
            let mut data = pseudo(family, &q, ipproto::UDP, q.len() - p.l4);
            data.extend_from_slice(&q[p.l4..]);
            let rest = ref_fold(&data);
            let port_host = !rest; // rest + port == 0xffff
            if port_host == 0 {
                continue;
            }
            let port = port_host.to_be();
            let mut got = p.bytes.clone();
            rewrite(&mut got, &h, Side::Dst, &d, port, CsumMode::Full).unwrap();
            assert_eq!(be16(&got, p.l4 + 6), 0xffff);
            assert_eq!(got, expected(&p, Side::Dst, &d, port));
            found += 1;
            if found == 50 {
                break;
            }
        }
        assert_eq!(found, 50);
    }
}

#[test]
fn rewrite_other_protocols_and_fragments() {
    let (s, d) = (a4([1, 2, 3, 4]), a4([5, 6, 7, 8]));
    let new = a4([9, 9, 9, 9]);
    // An IPv4 later fragment of TCP: address and header checksum only.
    let mut b = v4_header(ipproto::TCP, &s, &d, 0, 24, 0x0003);
    b.extend_from_slice(&[0x55; 24]);
    fix_ip4(&mut b, 0);
    let h = parse(af::INET, &b).unwrap();
    let mut got = b.clone();
    rewrite(&mut got, &h, Side::Dst, &new, 1, CsumMode::Full).unwrap();
    let mut want = b.clone();
    want[16..20].copy_from_slice(&[9, 9, 9, 9]);
    fix_ip4(&mut want, 0);
    assert_eq!(got, want);
    // A GRE packet over IPv6: the address only.
    let (s6, d6) = (a6(1), a6(2));
    let mut b = v6_header(47, &s6, &d6, &[], 4);
    b.extend_from_slice(&[0, 0, 8, 0]);
    let h = parse(af::INET6, &b).unwrap();
    let mut got = b.clone();
    rewrite(&mut got, &h, Side::Src, &a6(3), 7, CsumMode::Partial).unwrap();
    let mut want = b.clone();
    want[8..24].copy_from_slice(&a6(3));
    assert_eq!(got, want);
}

#[test]
fn rewrite_checks_before_writing() {
    let mut rng = Rng(12);
    let (s, d) = (a4([1, 2, 3, 4]), a4([5, 6, 7, 8]));
    let p = build(&mut rng, af::INET, ipproto::TCP, &s, &d, 1, 2, b"z", 0, &[]);
    let h = parse(af::INET, &p.bytes).unwrap();
    // Headers of another family.
    let mut h6 = h;
    h6.af = af::INET6;
    let mut got = p.bytes.clone();
    let r = rewrite(&mut got, &h6, Side::Src, &a6(1), 1, CsumMode::Full);
    assert_eq!(r, Err(Malformed::BadVersion));
    let mut hx = h;
    hx.af = 0;
    assert_eq!(
        rewrite(&mut got, &hx, Side::Src, &s, 1, CsumMode::Full),
        Err(Malformed::BadVersion)
    );
    // A transport offset past the end.
    let mut hl = h;
    hl.l4_off = usize::MAX - 1;
    assert_eq!(
        rewrite(&mut got, &hl, Side::Dst, &s, 1, CsumMode::Full),
        Err(Malformed::Truncated)
    );
    assert_eq!(got, p.bytes);
}

// ---------------------------------------------------------------------------------------------
// ICMP errors.

/// The address and port a quoted packet is about.
struct Flow {
    client: [u8; 16],
    cport: u16,
    vip: [u8; 16],
    vport: u16,
    real: [u8; 16],
    rport: u16,
}

fn flow4() -> Flow {
    Flow {
        client: a4([198, 51, 100, 7]),
        cport: 33333u16.to_be(),
        vip: a4([203, 0, 113, 1]),
        vport: 53u16.to_be(),
        real: a4([10, 1, 2, 3]),
        rport: 5353u16.to_be(),
    }
}

fn flow6() -> Flow {
    Flow {
        client: a6(7),
        cport: 33333u16.to_be(),
        vip: a6(1),
        vport: 443u16.to_be(),
        real: a6(0x33),
        rport: 8443u16.to_be(),
    }
}

/// An ICMP error from `from` to `to` quoting `quoted` (cut to `quote` bytes), all checksums
/// correct.
#[allow(clippy::too_many_arguments)]
fn icmp_error(
    family: u16,
    itype: u8,
    code: u8,
    from: &[u8; 16],
    to: &[u8; 16],
    quoted: &[u8],
    quote: usize,
    exts: &[Ext],
) -> Pkt {
    let q = &quoted[..quote.min(quoted.len())];
    let (proto, mut p) = if family == af::INET {
        let h = v4_header(ipproto::ICMP, from, to, 0, 8 + q.len(), 0);
        (ipproto::ICMP, h)
    } else {
        let h = v6_header(ipproto::ICMPV6, from, to, exts, 8 + q.len());
        (ipproto::ICMPV6, h)
    };
    let l4 = p.len();
    p.extend_from_slice(&[itype, code, 0, 0, 0, 0, 0x05, 0xdc]);
    p.extend_from_slice(q);
    fix_all(family, &mut p, l4, proto);
    Pkt {
        family,
        bytes: p,
        l4,
        proto,
    }
}

/// An IPv4 ICMP error from a real server to a client, about a packet the director forwarded
/// (client -> real), quoting its IP header and `quote` bytes of its transport; and that quoted
/// packet.
fn icmp4_error(itype: u8, code: u8, proto: u8, quote: usize) -> (Pkt, Pkt) {
    let f = flow4();
    let mut rng = Rng(u64::from(itype) * 1000 + quote as u64);
    let payload = rng.bytes(120);
    let inner = build(
        &mut rng,
        af::INET,
        proto,
        &f.client,
        &f.real,
        f.cport,
        f.rport,
        &payload,
        0,
        &[],
    );
    let e = icmp_error(
        af::INET,
        itype,
        code,
        &f.real,
        &f.client,
        &inner.bytes,
        inner.l4 + quote,
        &[],
    );
    (e, inner)
}

/// The same for IPv6.
fn icmp6_error(itype: u8, code: u8, proto: u8, quote: usize, exts: &[Ext]) -> (Pkt, Pkt) {
    let f = flow6();
    let mut rng = Rng(u64::from(itype) * 1000 + quote as u64 + 1);
    let payload = rng.bytes(120);
    let inner = build(
        &mut rng,
        af::INET6,
        proto,
        &f.client,
        &f.real,
        f.cport,
        f.rport,
        &payload,
        0,
        exts,
    );
    let e = icmp_error(
        af::INET6,
        itype,
        code,
        &f.real,
        &f.client,
        &inner.bytes,
        inner.l4 + quote,
        exts,
    );
    (e, inner)
}

/// Parses an error and checks what it says about the quoted packet.
fn parsed(e: &Pkt, inner: &Pkt) -> IcmpError {
    let pe = parse_icmp_error(e.family, &e.bytes).unwrap().unwrap();
    assert_eq!(pe.outer, parse(e.family, &e.bytes).unwrap());
    assert_eq!(pe.inner_off, e.l4 + 8);
    let full = parse(inner.family, &inner.bytes).unwrap();
    assert_eq!(pe.inner.saddr, full.saddr);
    assert_eq!(pe.inner.daddr, full.daddr);
    assert_eq!((pe.inner.sport, pe.inner.dport), (full.sport, full.dport));
    assert_eq!(pe.inner.protocol, full.protocol);
    assert_eq!(pe.inner.ip_len, full.ip_len);
    assert_eq!(pe.inner.l4_off, inner.l4);
    assert_eq!(pe.inner_l4_off(), Some(e.l4 + 8 + inner.l4));
    pe
}

/// The error as NAT must leave it, built from scratch: addresses and port changed by hand,
/// quoted IPv4 header checksum and the outer checksums recomputed, quoted transport checksum
/// as it was.
fn expected_error(e: &Pkt, inner: &Pkt, side: Side, addr: &[u8; 16], port: u16) -> Vec<u8> {
    let mut q = e.bytes.clone();
    let alen = if e.family == af::INET { 4 } else { 16 };
    let (src, dst) = if e.family == af::INET {
        (12, 16)
    } else {
        (8, 24)
    };
    let io = e.l4 + 8;
    let (outer_at, inner_at, port_at) = match side {
        Side::Src => (src, io + dst, io + inner.l4 + 2),
        Side::Dst => (dst, io + src, io + inner.l4),
    };
    q[outer_at..outer_at + alen].copy_from_slice(&addr[..alen]);
    q[inner_at..inner_at + alen].copy_from_slice(&addr[..alen]);
    q[port_at..port_at + 2].copy_from_slice(&port.to_ne_bytes());
    if e.family == af::INET {
        fix_ip4(&mut q, io);
    }
    fix_all(e.family, &mut q, e.l4, e.proto);
    q
}

fn check_error_nat(e: &Pkt, inner: &Pkt) {
    assert!(e.ok());
    let f = if e.family == af::INET {
        flow4()
    } else {
        flow6()
    };
    let pe = parsed(e, inner);
    // Real server -> client: the error must look as if it came from the VIP.
    let mut got = e.bytes.clone();
    rewrite_icmp_error(&mut got, &pe, Side::Src, &f.vip, f.vport).unwrap();
    let want = expected_error(e, inner, Side::Src, &f.vip, f.vport);
    assert_eq!(got, want);
    let again = parse_icmp_error(e.family, &got).unwrap().unwrap();
    assert_eq!((again.outer.saddr, again.inner.daddr), (f.vip, f.vip));
    assert_eq!(again.inner.dport, f.vport);
    assert_eq!(again.outer.daddr, f.client);
    // Client -> director about a reply (vip -> client): to the real server instead.
    let reply = build(
        &mut Rng(3),
        inner.family,
        inner.proto,
        &f.vip,
        &f.client,
        f.vport,
        f.cport,
        &inner.bytes[inner.l4 + 20..],
        0,
        &[],
    );
    let e2 = icmp_error(
        e.family,
        e.bytes[e.l4],
        e.bytes[e.l4 + 1],
        &f.client,
        &f.vip,
        &reply.bytes,
        e.bytes.len() - e.l4 - 8,
        &[],
    );
    let pe2 = parsed(&e2, &reply);
    let mut got = e2.bytes.clone();
    rewrite_icmp_error(&mut got, &pe2, Side::Dst, &f.real, f.rport).unwrap();
    assert_eq!(
        got,
        expected_error(&e2, &reply, Side::Dst, &f.real, f.rport)
    );
    let again = parse_icmp_error(e.family, &got).unwrap().unwrap();
    assert_eq!((again.outer.daddr, again.inner.saddr), (f.real, f.real));
    assert_eq!(again.inner.sport, f.rport);
}

#[test]
fn icmp4_port_unreachable_quoting_udp() {
    // The classic quote (IP header + 8 bytes) and a longer one.
    for quote in [8, 30, 1000] {
        let (e, inner) = icmp4_error(3, 3, ipproto::UDP, quote);
        check_error_nat(&e, &inner);
    }
}

#[test]
fn icmp4_errors_quoting_tcp() {
    // Only 8 bytes of TCP: enough, flags unknown.
    let (e, inner) = icmp4_error(3, 4, ipproto::TCP, 8);
    let pe = parsed(&e, &inner);
    assert_eq!(pe.inner.tcp_flags, 0);
    assert!(pe.inner.ip_len > e.bytes.len() - pe.inner_off);
    check_error_nat(&e, &inner);
    let (e, inner) = icmp4_error(11, 0, ipproto::TCP, 100);
    assert_eq!(parsed(&e, &inner).inner.tcp_flags, 0, "even when quoted");
    check_error_nat(&e, &inner);
    let (e, inner) = icmp4_error(4, 0, ipproto::TCP, 20);
    check_error_nat(&e, &inner);
}

#[test]
fn icmp6_dest_unreachable_and_packet_too_big() {
    for (t, c) in [(1, 4), (2, 0), (3, 0)] {
        for proto in [ipproto::TCP, ipproto::UDP] {
            for quote in [8, 100, 1000] {
                let (e, inner) = icmp6_error(t, c, proto, quote, &[]);
                check_error_nat(&e, &inner);
            }
        }
    }
}

#[test]
fn icmp6_error_with_extension_headers() {
    let exts = [Ext::HopByHop(0), Ext::DstOpts(1)];
    let (e, inner) = icmp6_error(1, 3, ipproto::UDP, 50, &exts);
    let pe = parsed(&e, &inner);
    assert_eq!(pe.outer.l4_off, 40 + 8 + 16);
    assert_eq!(pe.inner.l4_off, 40 + 8 + 16);
    let f = flow6();
    let mut got = e.bytes.clone();
    rewrite_icmp_error(&mut got, &pe, Side::Src, &f.vip, f.vport).unwrap();
    assert_eq!(got, expected_error(&e, &inner, Side::Src, &f.vip, f.vport));
}

#[test]
fn icmp_non_errors() {
    let f = flow4();
    // Echo request, echo reply, and ICMPv6 echo: not errors.
    for t in [0u8, 8, 13] {
        let e = icmp_error(af::INET, t, 0, &f.client, &f.vip, &[1; 20], 20, &[]);
        assert_eq!(parse_icmp_error(af::INET, &e.bytes), Ok(None));
    }
    let f6 = flow6();
    for t in [128u8, 129, 135] {
        let e = icmp_error(af::INET6, t, 0, &f6.client, &f6.vip, &[1; 20], 20, &[]);
        assert_eq!(parse_icmp_error(af::INET6, &e.bytes), Ok(None));
    }
    // Not ICMP at all.
    let mut rng = Rng(1);
    let p = build(
        &mut rng,
        af::INET,
        ipproto::UDP,
        &f.client,
        &f.vip,
        1,
        2,
        b"",
        0,
        &[],
    );
    assert_eq!(parse_icmp_error(af::INET, &p.bytes), Ok(None));
    // Malformed outer: an error.
    assert_eq!(
        parse_icmp_error(af::INET, &p.bytes[..10]),
        Err(Malformed::Truncated)
    );
}

#[test]
fn icmp_error_malformed_quotes() {
    // A quote too short for its transport header.
    let (e, _) = icmp4_error(3, 3, ipproto::UDP, 7);
    assert_eq!(
        parse_icmp_error(af::INET, &e.bytes),
        Err(Malformed::Truncated)
    );
    // A quoted packet of the other version.
    let (mut e, _) = icmp4_error(3, 3, ipproto::UDP, 8);
    e.bytes[28] = 0x65;
    assert_eq!(
        parse_icmp_error(af::INET, &e.bytes),
        Err(Malformed::BadVersion)
    );
    // A quoted header length below 5.
    e.bytes[28] = 0x44;
    assert_eq!(
        parse_icmp_error(af::INET, &e.bytes),
        Err(Malformed::BadHeaderLength)
    );
    // The quote does not extend past the outer ip_len: bytes after it are padding.
    let (e, _) = icmp4_error(3, 3, ipproto::UDP, 8);
    let mut b = e.bytes.clone();
    let short = (b.len() - 1) as u16;
    put16(&mut b, 2, short);
    assert_eq!(parse_icmp_error(af::INET, &b), Err(Malformed::Truncated));
    // A quoted later fragment: parsed, no ports; NAT changes addresses only.
    let f = flow4();
    let mut frag = v4_header(ipproto::UDP, &f.client, &f.real, 0, 100, 0x0010);
    frag.extend_from_slice(&[0x77; 100]);
    fix_ip4(&mut frag, 0);
    let e = icmp_error(af::INET, 11, 1, &f.real, &f.client, &frag, 40, &[]);
    let pe = parse_icmp_error(af::INET, &e.bytes).unwrap().unwrap();
    assert!(pe.inner.later_fragment);
    assert_eq!((pe.inner.sport, pe.inner.dport), (0, 0));
    let mut got = e.bytes.clone();
    rewrite_icmp_error(&mut got, &pe, Side::Src, &f.vip, f.vport).unwrap();
    let mut want = e.bytes.clone();
    want[12..16].copy_from_slice(&f.vip[..4]);
    want[44..48].copy_from_slice(&f.vip[..4]);
    fix_ip4(&mut want, 28);
    fix_all(af::INET, &mut want, 20, ipproto::ICMP);
    assert_eq!(got, want);
}

#[test]
fn rewrite_icmp_error_needs_the_whole_packet() {
    let (e, inner) = icmp4_error(3, 3, ipproto::UDP, 30);
    let pe = parsed(&e, &inner);
    let f = flow4();
    for n in 0..e.bytes.len() {
        let mut b = e.bytes[..n].to_vec();
        let r = rewrite_icmp_error(&mut b, &pe, Side::Src, &f.vip, f.vport);
        assert_eq!(r, Err(Malformed::Truncated));
        assert_eq!(b, e.bytes[..n]);
    }
    // Trailing padding is left alone.
    let mut b = e.bytes.clone();
    b.extend_from_slice(&[0xee; 6]);
    rewrite_icmp_error(&mut b, &pe, Side::Src, &f.vip, f.vport).unwrap();
    assert_eq!(
        b[..e.bytes.len()],
        expected_error(&e, &inner, Side::Src, &f.vip, f.vport)
    );
    assert_eq!(b[e.bytes.len()..], [0xee; 6]);
}

// ---------------------------------------------------------------------------------------------
// Writing headers.

#[test]
fn write_headers_parse_back() {
    let mut buf = [0xaau8; 48];
    write_ipv4_header(
        &mut buf,
        0x10,
        48,
        0xbeef,
        true,
        64,
        ipproto::UDP,
        &[1, 2, 3, 4],
        &[5, 6, 7, 8],
    )
    .unwrap();
    assert_eq!(ref_fold(&buf[..20]), 0xffff, "header checksum verifies");
    assert_eq!(
        buf[..12],
        [0x45, 0x10, 0, 48, 0xbe, 0xef, 0x40, 0, 64, 17, buf[10], buf[11]]
    );
    buf[20..].fill(0);
    let h = parse(af::INET, &buf).unwrap();
    assert_eq!(
        (h.tos, h.ip_len, h.df, h.ttl, h.fragment),
        (0x10, 48, true, 64, false)
    );
    assert_eq!((h.saddr, h.daddr), (a4([1, 2, 3, 4]), a4([5, 6, 7, 8])));
    write_ipv4_header(
        &mut buf,
        0,
        20,
        0,
        false,
        1,
        ipproto::IPIP,
        &[9; 4],
        &[8; 4],
    )
    .unwrap();
    assert_eq!(buf[6], 0);
    assert_eq!(ref_fold(&buf[..20]), 0xffff);
    let mut short = [0u8; 19];
    assert_eq!(
        write_ipv4_header(&mut short, 0, 40, 0, true, 1, 6, &[1; 4], &[2; 4]),
        Err(Malformed::Truncated)
    );
    assert_eq!(short, [0; 19]);
    assert_eq!(
        write_ipv4_header(&mut buf, 0, 19, 0, true, 1, 6, &[1; 4], &[2; 4]),
        Err(Malformed::BadLength)
    );

    let mut buf = [0xaau8; 48];
    write_ipv6_header(&mut buf, 0xb7, 8, ipproto::UDP, 255, &a6(1), &a6(2)).unwrap();
    assert_eq!(buf[..8], [0x6b, 0x70, 0, 0, 0, 8, 17, 255]);
    buf[40..].fill(0);
    let h = parse(af::INET6, &buf).unwrap();
    assert_eq!(
        (h.tos, h.ip_len, h.ttl, h.protocol),
        (0xb7, 48, 255, ipproto::UDP)
    );
    assert_eq!((h.saddr, h.daddr), (a6(1), a6(2)));
    let mut short = [0u8; 39];
    assert_eq!(
        write_ipv6_header(&mut short, 0, 0, 6, 1, &a6(1), &a6(2)),
        Err(Malformed::Truncated)
    );
    assert_eq!(short, [0; 39]);
}

// ---------------------------------------------------------------------------------------------
// Robustness: short and random inputs never panic.

#[test]
fn every_prefix_is_handled() {
    for p in samples() {
        let full = parse(p.family, &p.bytes).unwrap();
        let full_err = parse_icmp_error(p.family, &p.bytes).unwrap();
        for n in 0..=p.bytes.len() {
            let prefix = &p.bytes[..n];
            let r = parse(p.family, prefix);
            if let Ok(h) = r {
                assert_eq!(h, full, "a prefix parses to the same headers");
            } else {
                assert_eq!(r, Err(Malformed::Truncated), "prefix {n}");
            }
            match parse_icmp_error(p.family, prefix) {
                Ok(Some(e)) => assert_eq!(Some(e), full_err),
                Ok(None) => assert!(full_err.is_none()),
                Err(e) => assert_eq!(e, Malformed::Truncated),
            }
            // Rewrites with the headers of the whole packet on a prefix: Ok or Err, never a
            // panic, and nothing written on Err.
            for side in [Side::Src, Side::Dst] {
                for mode in [CsumMode::Full, CsumMode::Partial] {
                    let mut b = prefix.to_vec();
                    if rewrite(&mut b, &full, side, &a6(9), 7, mode).is_err() {
                        assert_eq!(b, prefix);
                    }
                }
                if let Some(e) = full_err {
                    let mut b = prefix.to_vec();
                    if rewrite_icmp_error(&mut b, &e, side, &a6(9), 7).is_err() {
                        assert_eq!(b, prefix);
                    }
                }
            }
            // And with the headers of the prefix itself.
            if let Ok(h) = r {
                let mut b = prefix.to_vec();
                let _ = rewrite(&mut b, &h, Side::Dst, &a6(9), 7, CsumMode::Full);
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xabcdef);
    let mut seen_ok = 0;
    for i in 0..200_000 {
        let family = families()[i % 2];
        let len = rng.below(120);
        let mut b = rng.bytes(len);
        if let Some(first) = b.first_mut() {
            // Mostly the right version, so that parsing goes deep.
            if rng.below(8) != 0 {
                *first = if family == af::INET {
                    0x40 | (*first & 0x0f)
                } else {
                    0x60 | (*first & 0x0f)
                };
            }
        }
        if b.len() >= 6 && rng.below(2) == 0 {
            // A plausible length, sometimes.
            if family == af::INET {
                put16(&mut b, 2, len as u16);
            } else {
                put16(&mut b, 4, len.saturating_sub(40) as u16);
            }
        }
        if b.len() > 9 && family == af::INET && rng.below(2) == 0 {
            b[9] = [1, 6, 17][rng.below(3)];
        }
        if let Ok(h) = parse(family, &b) {
            seen_ok += 1;
            let mut c = b.clone();
            let _ = rewrite(&mut c, &h, Side::Src, &rng.addr(family), 1, CsumMode::Full);
        }
        if let Ok(Some(e)) = parse_icmp_error(family, &b) {
            let mut c = b.clone();
            let _ = rewrite_icmp_error(&mut c, &e, Side::Dst, &rng.addr(family), 1);
        }
        // Garbage headers too.
        let h = Headers {
            af: [af::INET, af::INET6, 0][rng.below(3)],
            protocol: [6, 17, 1, 58][rng.below(4)],
            l4_off: [rng.below(130), usize::MAX, usize::MAX - 3][rng.below(3)],
            ip_len: [rng.below(130), usize::MAX][rng.below(2)],
            later_fragment: rng.below(2) == 0,
            ..Headers::default()
        };
        let mut c = b.clone();
        let _ = rewrite(
            &mut c,
            &h,
            Side::Dst,
            &[0xff; 16],
            0xffff,
            CsumMode::Partial,
        );
        let e = IcmpError {
            outer: h,
            inner_off: [rng.below(130), usize::MAX][rng.below(2)],
            inner: Headers {
                l4_off: [rng.below(130), usize::MAX][rng.below(2)],
                ..h
            },
        };
        let _ = rewrite_icmp_error(&mut c, &e, Side::Src, &[0xff; 16], 0xffff);
    }
    assert!(
        seen_ok > 1000,
        "the fuzzing reached past the IP header ({seen_ok})"
    );
}
