// SPDX-License-Identifier: GPL-2.0

//! Internet checksum arithmetic against a word-by-word reference.

use std::vec;
use std::vec::Vec;

use crate::csum::{checksum, fold, replace, replace_partial, sum};

use super::rng::Rng;

/// RFC 1071 done the plain way: 16-bit words, a wide accumulator, then folding.
fn ref_fold(data: &[u8]) -> u16 {
    let mut acc: u64 = 0;
    for w in data.chunks(2) {
        let hi = u64::from(w[0]) << 8;
        let lo = w.get(1).map_or(0, |&b| u64::from(b));
        acc += hi | lo;
    }
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

fn ref_checksum(data: &[u8]) -> u16 {
    !ref_fold(data)
}

#[test]
fn rfc1071_example() {
    let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(fold(sum(&data, 0)), 0xddf2);
    assert_eq!(checksum(&data), 0x220d);
}

#[test]
fn ipv4_header_example() {
    let mut h = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];
    assert_eq!(checksum(&h), 0xb861);
    h[10..12].copy_from_slice(&0xb861u16.to_be_bytes());
    assert_eq!(checksum(&h), 0, "a correct header sums to 0xffff");
}

#[test]
fn fold_edges() {
    assert_eq!(fold(0), 0);
    assert_eq!(fold(1), 1);
    assert_eq!(fold(0xffff), 0xffff);
    assert_eq!(fold(0x1_0000), 1);
    assert_eq!(fold(0x1_fffe), 0xffff);
    assert_eq!(fold(u32::MAX), 0xffff);
    assert_eq!(fold(0xffff_0000), 0xffff);
}

#[test]
fn sum_edges() {
    assert_eq!(sum(&[], 0), 0);
    assert_eq!(sum(&[], 1234), 1234);
    assert_eq!(fold(sum(&[0xab], 0)), 0xab00);
    assert_eq!(
        fold(sum(&[0xab, 0xcd, 0xef], 0)),
        (0xabcdu32 + 0xef00 - 0xffff) as u16
    );
    assert_eq!(sum(&[0; 7], 0), 0);
    // The largest init and all-ones data: no overflow, and -0 stays nonzero.
    let ones = vec![0xffu8; 4098];
    assert_eq!(fold(sum(&ones, u32::MAX)), 0xffff);
    assert_eq!(checksum(&ones), 0);
    assert_eq!(checksum(&[]), 0xffff);
}

#[test]
fn sum_matches_reference() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for len in 0..300 {
        for _ in 0..8 {
            let data = rng.bytes(len);
            let init = match rng.below(4) {
                0 => 0,
                1 => u32::MAX,
                _ => rng.next() as u32,
            };
            let mut init_bytes = Vec::from(init.to_be_bytes());
            init_bytes.extend_from_slice(&data);
            // An init is equivalent to one more 32-bit word in front.
            let expect = ref_fold(&init_bytes);
            let got = fold(sum(&data, init));
            if expect == 0 {
                assert_eq!(got, 0);
            } else {
                assert_eq!(got, expect, "len {len} init {init:#x}");
            }
            assert_eq!(checksum(&data), ref_checksum(&data));
        }
    }
}

#[test]
fn sum_continues_over_pieces() {
    let mut rng = Rng(99);
    for _ in 0..500 {
        let len = rng.below(200);
        let data = rng.bytes(len);
        // Any even split point.
        let cut = rng.below(len / 2 + 1) * 2;
        let (a, b) = data.split_at(cut);
        assert_eq!(fold(sum(b, sum(a, 0))), fold(sum(&data, 0)));
    }
}

#[test]
fn replace_matches_recompute() {
    let mut rng = Rng(0xdead_beef);
    for _ in 0..20_000 {
        let len = 2 + rng.below(64) * 2;
        let mut data = rng.bytes(len);
        // A checksum field somewhere, as a packet would have.
        let field_at = rng.below(len / 2) * 2;
        data[field_at] = 0;
        data[field_at + 1] = 0;
        if data.iter().all(|&b| b == 0) {
            data[(field_at + 2) % len] = 1;
        }
        let field = ref_checksum(&data);
        data[field_at..field_at + 2].copy_from_slice(&field.to_be_bytes());
        // Change an even-aligned window that does not cover the field.
        let wlen = 2 * (1 + rng.below(8));
        let start = rng.below(len / 2) * 2;
        if start + wlen > len || (start <= field_at && field_at < start + wlen) {
            continue;
        }
        let old = data[start..start + wlen].to_vec();
        let new = match rng.below(4) {
            0 => vec![0; wlen],
            1 => vec![0xff; wlen],
            _ => rng.bytes(wlen),
        };
        data[start..start + wlen].copy_from_slice(&new);
        let updated = replace(field, &old, &new);
        data[field_at..field_at + 2].copy_from_slice(&[0, 0]);
        if data.iter().all(|&b| b == 0) {
            // All-zero data sums to +0, which an update from nonzero data cannot reach: a
            // case no packet has (see the module doc).
            continue;
        }
        assert_eq!(updated, ref_checksum(&data), "bit-exact incremental update");
        data[field_at..field_at + 2].copy_from_slice(&updated.to_be_bytes());
        assert_eq!(ref_checksum(&data), 0);
    }
}

#[test]
fn replace_identity_and_chain() {
    let mut rng = Rng(7);
    for _ in 0..2000 {
        let field = rng.next() as u16;
        let a = rng.bytes(4);
        let b = rng.bytes(4);
        if field != 0xffff {
            assert_eq!(replace(field, &a, &a), field);
        }
        // a -> b -> a comes back.
        let there = replace(field, &a, &b);
        let back = replace(there, &b, &a);
        if field != 0xffff && there != 0xffff {
            assert_eq!(back, field);
        }
    }
}

#[test]
fn replace_partial_tracks_the_sum() {
    let mut rng = Rng(0x5eed);
    for _ in 0..20_000 {
        let mut data = rng.bytes(12);
        data[9] = 6; // never all zero, like a pseudo-header
        let field = ref_fold(&data);
        let start = rng.below(5) * 2;
        let wlen = 2 + rng.below((12 - start) / 2) * 2;
        let old = data[start..start + wlen].to_vec();
        let new = rng.bytes(wlen);
        data[start..start + wlen].copy_from_slice(&new);
        if data.iter().all(|&b| b == 0) {
            continue;
        }
        assert_eq!(replace_partial(field, &old, &new), ref_fold(&data));
    }
}

#[test]
fn odd_or_mismatched_inputs_do_not_panic() {
    let _ = replace(0x1234, &[1, 2, 3], &[4, 5]);
    let _ = replace(0x1234, &[], &[4, 5, 6]);
    let _ = replace_partial(0, &[1], &[]);
    let _ = replace_partial(u16::MAX, &[0xff; 33], &[0; 31]);
    // Same odd length, at an even offset at the end of the data: still exact.
    let mut data = vec![0x12, 0x34, 0x00, 0x00, 0x56, 0x78, 0x9a];
    let field = ref_checksum(&data);
    data[4..].copy_from_slice(&[0xfe, 0xdc, 0xba]);
    let field = replace(field, &[0x56, 0x78, 0x9a], &[0xfe, 0xdc, 0xba]);
    assert_eq!(field, ref_checksum(&data));
    assert_eq!(replace(field, &[], &[]), field);
}
