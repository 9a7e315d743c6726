// SPDX-License-Identifier: GPL-2.0

//! Internet checksum arithmetic (RFC 1071, incremental updates per RFC 1624).
//!
//! Data is summed as big-endian 16-bit words in ones'-complement arithmetic. A running sum is
//! kept "unfolded" in a `u32`: any 32-bit value whose ones'-complement value modulo `0xffff`
//! is the sum (carries out of bit 31 are added back in at bit 0, so nothing is ever lost and
//! nothing overflows). [`fold`] reduces it to 16 bits; the checksum field holds the complement
//! of that. Every value here is a host-order number: a field is read with
//! `u16::from_be_bytes` and written back with `to_be_bytes`.
//!
//! A sum is zero only when every word summed is zero, so a folded sum of real data lies in
//! `1..=0xffff`, where each residue modulo `0xffff` has exactly one representative: an
//! incremental update ([`replace`], [`replace_partial`]) therefore gives bit for bit what a
//! recomputation from scratch gives, as long as the field was itself computed from nonzero
//! data (every TCP, UDP, ICMPv6 pseudo-header and every IP header is).

/// Adds `b` to the 64-bit accumulator `a` with an end-around carry (never overflows).
#[inline]
fn add64(a: u64, b: u64) -> u64 {
    let (s, carry) = a.overflowing_add(b);
    // With a carry, `s <= b - 1 < u64::MAX`: adding 1 cannot overflow.
    s + u64::from(carry)
}

/// Ones'-complement sum of `data` (big-endian 16-bit words, a last odd byte padded with a zero
/// byte) added to `init`.
///
/// The result is unfolded: a `u32` congruent to the 16-bit ones'-complement sum modulo
/// `0xffff`, zero only when `init` and all of `data` are zero. It can be passed back as
/// `init` to continue the sum over more data, provided that data starts at an even offset of
/// the whole; [`fold`] gives the 16-bit sum.
pub fn sum(data: &[u8], init: u32) -> u32 {
    let mut acc = u64::from(init);
    let mut words = data.chunks_exact(4);
    for w in &mut words {
        // `chunks_exact(4)` yields slices of exactly 4 bytes.
        let mut b = [0u8; 4];
        b.copy_from_slice(w);
        acc = add64(acc, u64::from(u32::from_be_bytes(b)));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 4];
        for (d, s) in b.iter_mut().zip(rest) {
            *d = *s;
        }
        acc = add64(acc, u64::from(u32::from_be_bytes(b)));
    }
    // Two end-around folds bring a u64 into 32 bits: the first leaves at most
    // 0xffff_ffff + 0xffff_ffff = 0x1_ffff_fffe, the second at most 0xffff_ffff.
    let acc = (acc & 0xffff_ffff) + (acc >> 32);
    let acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc as u32
}

/// Folds an unfolded sum to 16 bits (no complement).
///
/// The result is zero only when `s` is zero.
pub fn fold(s: u32) -> u16 {
    // At most 0xffff + 0xffff = 0x1fffe, then at most 0xfffe + 1 = 0xffff.
    let s = (s & 0xffff) + (s >> 16);
    let s = (s & 0xffff) + (s >> 16);
    (s & 0xffff) as u16
}

/// The checksum field value for `data` (the complement of its folded sum), as a host-order
/// number: write it with `to_be_bytes`.
///
/// `data` must include the checksum field set to zero (or, to verify a checksum, the field as
/// received: the result is then 0 for a correct checksum).
pub fn checksum(data: &[u8]) -> u16 {
    !fold(sum(data, 0))
}

/// Ones'-complement negation of the sum of `data`, unfolded (at most `0xffff`).
#[inline]
fn neg_sum(data: &[u8]) -> u32 {
    u32::from(!fold(sum(data, 0)))
}

/// RFC 1624 (equation 3) incremental update of a complemented checksum field: `field` is the
/// host-order value of the big-endian field, `old` the bytes as they were and `new` as they
/// are now. Returns the new field value.
///
/// `old` and `new` must have the same, even length and start at an even offset of the
/// checksummed data (an odd length works too when both are padded alike, at the end of the
/// data); other inputs give a meaningless value, never a panic.
pub fn replace(field: u16, old: &[u8], new: &[u8]) -> u16 {
    // HC' = ~(~HC + ~m + m'); the initial value is at most 0xffff + 0xffff.
    !fold(sum(new, u32::from(!field) + neg_sum(old)))
}

/// The same as [`replace`] for a field that holds a non-complemented folded sum: the
/// pseudo-header sum that Linux stores in the L4 checksum field of a `CHECKSUM_PARTIAL` skb.
pub fn replace_partial(field: u16, old: &[u8], new: &[u8]) -> u16 {
    fold(sum(new, u32::from(field) + neg_sum(old)))
}
