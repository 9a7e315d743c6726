// SPDX-License-Identifier: GPL-2.0

//! Connection entries: their key and the table's geometry.

/// Smallest `conn_tab_bits` accepted (as ip_vs).
pub const MIN_TAB_BITS: i32 = 8;
/// Largest `conn_tab_bits` accepted (as ip_vs).
pub const MAX_TAB_BITS: i32 = 20;

/// The bucket count for `bits`, or `None` when `bits` is out of range.
pub fn buckets_for_bits(bits: i32) -> Option<u32> {
    (MIN_TAB_BITS..=MAX_TAB_BITS)
        .contains(&bits)
        .then(|| 1u32 << bits)
}

/// Who a connection joins: client, virtual service and real server, with ports in network
/// byte order and IPv4 addresses in the first 4 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tuple {
    /// Address family of the client side.
    pub af: u16,
    /// Address family of the real server.
    pub daf: u16,
    /// IP protocol.
    pub protocol: u8,
    /// Client address.
    pub caddr: [u8; 16],
    /// Virtual address.
    pub vaddr: [u8; 16],
    /// Real server address.
    pub daddr: [u8; 16],
    /// Client port.
    pub cport: u16,
    /// Virtual port.
    pub vport: u16,
    /// Real server port.
    pub dport: u16,
}

/// Bob Jenkins' lookup3 hash of 32-bit words (the kernel's `jhash2`), with every step
/// wrapping.
pub fn jhash2(words: &[u32], initval: u32) -> u32 {
    let len = words.len() as u32;
    let init = 0xdead_beef_u32
        .wrapping_add(len.wrapping_shl(2))
        .wrapping_add(initval);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut k = words;
    while k.len() > 3 {
        a = a.wrapping_add(k[0]);
        b = b.wrapping_add(k[1]);
        c = c.wrapping_add(k[2]);
        mix(&mut a, &mut b, &mut c);
        k = &k[3..];
    }
    if k.is_empty() {
        return c;
    }
    if let Some(&w) = k.get(2) {
        c = c.wrapping_add(w);
    }
    if let Some(&w) = k.get(1) {
        b = b.wrapping_add(w);
    }
    a = a.wrapping_add(k[0]);
    final_mix(&mut a, &mut b, &mut c);
    c
}

fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

fn final_mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

/// The bucket of a connection: a keyed hash of its client side (protocol, address, port) and
/// namespace, so both directions of a connection find it in one bucket (the reply's
/// destination is the client). `buckets` is a power of two.
pub fn bucket(
    seed: u32,
    net_id: u32,
    protocol: u8,
    caddr: &[u8; 16],
    cport: u16,
    buckets: u32,
) -> u32 {
    let w = |i: usize| u32::from_ne_bytes([caddr[i], caddr[i + 1], caddr[i + 2], caddr[i + 3]]);
    let words = [
        w(0),
        w(4),
        w(8),
        w(12),
        u32::from(cport) | (u32::from(protocol) << 16),
        net_id,
    ];
    jhash2(&words, seed) & buckets.wrapping_sub(1)
}
