// SPDX-License-Identifier: GPL-2.0

//! Schedulers: rr, wrr, lc and wlc against ip_vs's behaviour.

use std::vec;
use std::vec::Vec;

use crate::sched::{overhead, Dest, Kind, State};

#[derive(Clone, Copy, Debug, Default)]
struct D {
    w: i32,
    active: u32,
    inact: u32,
    over: bool,
}

impl Dest for D {
    fn weight(&self) -> i32 {
        self.w
    }
    fn activeconns(&self) -> u32 {
        self.active
    }
    fn inactconns(&self) -> u32 {
        self.inact
    }
    fn overloaded(&self) -> bool {
        self.over
    }
}

fn w(w: i32) -> D {
    D { w, ..D::default() }
}

fn ws(weights: &[i32]) -> Vec<D> {
    weights.iter().map(|&x| w(x)).collect()
}

fn picks(st: &mut State, kind: Kind, dests: &[D], n: usize) -> Vec<Option<usize>> {
    (0..n).map(|_| st.schedule(kind, dests)).collect()
}

fn usable(d: &D) -> bool {
    d.w > 0 && !d.over
}

/// A small deterministic PRNG (xorshift64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn gcd(a: i32, b: i32) -> i32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[test]
fn names() {
    for k in Kind::ALL {
        assert_eq!(Kind::from_name(k.name().as_bytes()), Some(k));
    }
    assert_eq!(Kind::from_name(b"rr"), Some(Kind::Rr));
    assert_eq!(Kind::from_name(b"wrr\0\0\0\0\0"), Some(Kind::Wrr));
    assert_eq!(Kind::from_name(b"lc\0garbage"), Some(Kind::Lc));
    assert_eq!(Kind::from_name(b"wlc"), Some(Kind::Wlc));
    for bad in [
        &b""[..],
        b"\0",
        b"\0rr",
        b"RR",
        b"sh",
        b"rrr",
        b"r",
        b"wlc ",
        b"sed\0",
    ] {
        assert_eq!(Kind::from_name(bad), None, "{bad:?}");
    }
    assert_eq!(Kind::Rr.name(), "rr");
    assert_eq!(Kind::Wrr.name(), "wrr");
    assert_eq!(Kind::Lc.name(), "lc");
    assert_eq!(Kind::Wlc.name(), "wlc");
}

#[test]
fn overhead_is_ip_vs() {
    let d = D {
        w: 1,
        active: 2,
        inact: 3,
        over: false,
    };
    // ip_vs 6.12: activeconns * 256 + totalconns.
    assert_eq!(overhead(&d), 2 * 256 + 2 + 3);
    let big = D {
        w: 1,
        active: u32::MAX,
        inact: u32::MAX,
        over: false,
    };
    assert_eq!(
        overhead(&big),
        (u64::from(u32::MAX) << 8) + 2 * u64::from(u32::MAX)
    );
    // Through a reference too.
    assert_eq!(overhead(&&d), 517);
}

#[test]
fn empty_is_none_for_all() {
    let none: [D; 0] = [];
    for k in Kind::ALL {
        let mut st = State::new();
        assert_eq!(st.schedule(k, &none), None, "{k:?}");
        assert_eq!(st.schedule(k, &ws(&[0, 0, 0])), None, "{k:?}");
        let all_over: Vec<D> = ws(&[1, 2, 3])
            .into_iter()
            .map(|d| D { over: true, ..d })
            .collect();
        assert_eq!(st.schedule(k, &all_over), None, "{k:?}");
        let negative = ws(&[-1, i32::MIN]);
        assert_eq!(st.schedule(k, &negative), None, "{k:?}");
    }
}

#[test]
fn rr_cycles() {
    let d = ws(&[1, 1, 1]);
    let mut st = State::new();
    let got = picks(&mut st, Kind::Rr, &d, 7);
    let want: Vec<_> = [0, 1, 2, 0, 1, 2, 0].into_iter().map(Some).collect();
    assert_eq!(got, want);
    // Weights do not matter beyond being positive.
    let d = ws(&[5, 1, 100]);
    let mut st = State::new();
    let got = picks(&mut st, Kind::Rr, &d, 6);
    let want: Vec<_> = [0, 1, 2, 0, 1, 2].into_iter().map(Some).collect();
    assert_eq!(got, want);
}

#[test]
fn rr_skips_quiesced_and_overloaded() {
    let mut d = ws(&[1, 0, 1, 1]);
    d[2].over = true;
    let mut st = State::new();
    let got = picks(&mut st, Kind::Rr, &d, 4);
    let want: Vec<_> = [0, 3, 0, 3].into_iter().map(Some).collect();
    assert_eq!(got, want);
    // Overload clears: rr goes on from its position.
    d[2].over = false;
    assert_eq!(st.schedule(Kind::Rr, &d), Some(0));
    assert_eq!(st.schedule(Kind::Rr, &d), Some(2));
    assert_eq!(st.schedule(Kind::Rr, &d), Some(3));
    // A single usable server is chosen again and again (it is tried last).
    let d = ws(&[0, 7, 0]);
    let mut st = State::new();
    assert_eq!(picks(&mut st, Kind::Rr, &d, 3), vec![Some(1); 3]);
    // Failure leaves the position alone.
    let mut d = ws(&[1, 1, 1]);
    let mut st = State::new();
    assert_eq!(st.schedule(Kind::Rr, &d), Some(0));
    for x in d.iter_mut() {
        x.over = true;
    }
    assert_eq!(st.schedule(Kind::Rr, &d), None);
    for x in d.iter_mut() {
        x.over = false;
    }
    assert_eq!(st.schedule(Kind::Rr, &d), Some(1));
}

#[test]
fn wrr_432_first_cycles() {
    // cw = 4: A; cw = 3: A B; cw = 2: A B C; cw = 1: A B C; then again from 4.
    let d = ws(&[4, 3, 2]);
    let mut st = State::new();
    let got = picks(&mut st, Kind::Wrr, &d, 18);
    let cycle = [0, 0, 1, 0, 1, 2, 0, 1, 2];
    let want: Vec<_> = cycle.iter().chain(cycle.iter()).map(|&i| Some(i)).collect();
    assert_eq!(got, want);
}

#[test]
fn wrr_uses_the_gcd() {
    // gcd 2: mw = 4 - 1 = 3, cw steps 3, 1: A, then A B.
    let d = ws(&[4, 2]);
    let mut st = State::new();
    let got = picks(&mut st, Kind::Wrr, &d, 6);
    let want: Vec<_> = [0, 0, 1, 0, 0, 1].into_iter().map(Some).collect();
    assert_eq!(got, want);
    // Equal weights: plain round robin.
    let d = ws(&[100, 100, 100]);
    let mut st = State::new();
    let got = picks(&mut st, Kind::Wrr, &d, 6);
    let want: Vec<_> = [0, 1, 2, 0, 1, 2].into_iter().map(Some).collect();
    assert_eq!(got, want);
}

#[test]
fn wrr_123_shares() {
    let d = ws(&[1, 2, 3]);
    let mut st = State::new();
    let mut count = [0usize; 3];
    for _ in 0..600 {
        count[st.schedule(Kind::Wrr, &d).unwrap()] += 1;
    }
    assert_eq!(count, [100, 200, 300]);
    // The first cycle: cw 3: C; cw 2: B C; cw 1: A B C.
    let mut st = State::new();
    let got = picks(&mut st, Kind::Wrr, &d, 6);
    let want: Vec<_> = [2, 1, 2, 0, 1, 2].into_iter().map(Some).collect();
    assert_eq!(got, want);
}

#[test]
fn wrr_quiesced_and_overloaded() {
    let mut st = State::new();
    assert_eq!(st.schedule(Kind::Wrr, &ws(&[0, 0])), None);
    // Weights change: without a reset the cached maximum weight (0) still says none.
    let d = ws(&[0, 2]);
    assert_eq!(st.schedule(Kind::Wrr, &d), None);
    st.reset();
    assert_eq!(picks(&mut st, Kind::Wrr, &d, 3), vec![Some(1); 3]);
    // The heavy server overloaded: the others share by weight.
    let mut d = ws(&[5, 1, 1]);
    d[0].over = true;
    let mut st = State::new();
    let mut count = [0usize; 3];
    for _ in 0..10 {
        count[st.schedule(Kind::Wrr, &d).unwrap()] += 1;
    }
    assert_eq!(count, [0, 5, 5]);
    // All overloaded: none, and back once one recovers.
    d[1].over = true;
    d[2].over = true;
    assert_eq!(st.schedule(Kind::Wrr, &d), None);
    d[2].over = false;
    assert_eq!(st.schedule(Kind::Wrr, &d), Some(2));
}

#[test]
fn lc_picks_least() {
    let mut d = ws(&[1, 1, 1]);
    d[0].active = 1;
    d[1].inact = 3;
    // The idle server wins.
    assert_eq!(State::new().schedule(Kind::Lc, &d), Some(2));
    // 255 inactive connections weigh less than one active one.
    d[2].inact = 255;
    assert_eq!(State::new().schedule(Kind::Lc, &d), Some(1));
    // Ties: the first in the list.
    let d = ws(&[1, 1, 1]);
    assert_eq!(State::new().schedule(Kind::Lc, &d), Some(0));
    // Weights do not matter, except 0.
    let mut d = ws(&[0, 100, 1]);
    d[1].active = 1;
    assert_eq!(State::new().schedule(Kind::Lc, &d), Some(2));
    // Overloaded servers are skipped, even idle.
    let mut d = ws(&[1, 1]);
    d[0].over = true;
    d[1].active = 1000;
    assert_eq!(State::new().schedule(Kind::Lc, &d), Some(1));
}

#[test]
fn lc_spreads_evenly() {
    let mut d = ws(&[1, 5, 2]);
    let mut st = State::new();
    for _ in 0..300 {
        let i = st.schedule(Kind::Lc, &d).unwrap();
        d[i].active += 1;
    }
    assert_eq!([d[0].active, d[1].active, d[2].active], [100, 100, 100]);
}

#[test]
fn wlc_respects_weights() {
    let mut d = ws(&[1, 3]);
    let mut st = State::new();
    for _ in 0..400 {
        let i = st.schedule(Kind::Wlc, &d).unwrap();
        d[i].active += 1;
    }
    assert_eq!([d[0].active, d[1].active], [100, 300]);
    let mut d = ws(&[2, 0, 5, 3]);
    d[3].over = true;
    for _ in 0..700 {
        let i = st.schedule(Kind::Wlc, &d).unwrap();
        assert!(i == 0 || i == 2, "{i}");
        d[i].active += 1;
    }
    assert_eq!([d[0].active, d[2].active], [200, 500]);
}

#[test]
fn wlc_ties_and_cross_multiplication() {
    // 1/1 against 2/2: equal, so the first.
    let mut d = ws(&[1, 2]);
    d[0].active = 1;
    d[1].active = 2;
    assert_eq!(State::new().schedule(Kind::Wlc, &d), Some(0));
    // 1/1 against 1/2: the second.
    d[1].active = 1;
    assert_eq!(State::new().schedule(Kind::Wlc, &d), Some(1));
    // Huge counts and weights: no overflow, still exact (checked against u128).
    let max = u32::MAX;
    for (w0, a0, i0, w1, a1, i1) in [
        (65535, max, max, 65535, max, max - 1),
        (65535, max, max, 65535, max, max),
        (65535, max, max, 65534, max, max - 1),
        (65535, max, max, 65534, max - 1, max),
        (1, max, max, 65535, max, max),
        (65535, 0, 1, 1, 0, 0),
    ] {
        let d = [
            D {
                w: w0,
                active: a0,
                inact: i0,
                over: false,
            },
            D {
                w: w1,
                active: a1,
                inact: i1,
                over: false,
            },
        ];
        let lhs = u128::from(overhead(&d[0])) * w1 as u128;
        let rhs = u128::from(overhead(&d[1])) * w0 as u128;
        let want = if lhs > rhs { 1 } else { 0 };
        assert_eq!(State::new().schedule(Kind::Wlc, &d), Some(want), "{d:?}");
    }
    // Weights past the range are clamped, not trusted.
    let mut d = ws(&[i32::MAX, 65535]);
    d[0].active = u32::MAX;
    d[1].active = u32::MAX;
    for k in Kind::ALL {
        assert!(State::new().schedule(k, &d).is_some(), "{k:?}");
    }
}

#[test]
fn shrinking_list_does_not_panic() {
    for k in Kind::ALL {
        let d3 = ws(&[1, 2, 3]);
        let mut st = State::new();
        // Move the positions to the last server.
        for _ in 0..5 {
            st.schedule(k, &d3);
        }
        let d1 = ws(&[2]);
        // Without a reset.
        for _ in 0..3 {
            assert_eq!(st.schedule(k, &d1), Some(0), "{k:?}");
        }
        let none: [D; 0] = [];
        assert_eq!(st.schedule(k, &none), None, "{k:?}");
        // With one.
        st.reset();
        assert_eq!(st.schedule(k, &none), None, "{k:?}");
        st.reset();
        for _ in 0..3 {
            assert_eq!(st.schedule(k, &d1), Some(0), "{k:?}");
        }
        st.reset();
        let got = picks(&mut st, k, &d3, 30);
        assert!(got.iter().all(|g| matches!(g, Some(0..=2))), "{k:?}");
    }
}

#[test]
fn wrr_after_reset_rereads_weights() {
    let mut d = ws(&[1, 1]);
    let mut st = State::new();
    assert_eq!(picks(&mut st, Kind::Wrr, &d, 2), vec![Some(0), Some(1)]);
    d[1].w = 3;
    st.reset();
    let mut count = [0usize; 2];
    for _ in 0..400 {
        count[st.schedule(Kind::Wrr, &d).unwrap()] += 1;
    }
    assert_eq!(count, [100, 300]);
    // One removed: the survivors share by weight.
    d.remove(0);
    st.reset();
    assert_eq!(picks(&mut st, Kind::Wrr, &d, 4), vec![Some(0); 4]);
}

/// ip_vs's wrr, written as the C walks its list (index `n` is the list head), without
/// shortcuts: the reference the scheduler must match call for call.
struct RefWrr {
    cl: usize,
    cw: i32,
    mw: i32,
    di: i32,
}

impl RefWrr {
    /// A service as ip_vs creates it: `init_svc` with no real server yet (so `cw` is 0),
    /// then `dest_changed` once they are added.
    fn new(d: &[D]) -> Self {
        let mut r = RefWrr {
            cl: 0,
            cw: 0,
            mw: 0,
            di: 1,
        };
        r.dest_changed(d);
        r
    }

    fn gcd_weight(d: &[D]) -> i32 {
        let g = d.iter().filter(|x| x.w > 0).fold(0, |g, x| gcd(x.w, g));
        if g == 0 {
            1
        } else {
            g
        }
    }

    fn dest_changed(&mut self, d: &[D]) {
        self.cl = d.len();
        self.di = Self::gcd_weight(d);
        self.mw = d.iter().map(|x| x.w).fold(0, i32::max) - (self.di - 1);
        if self.cw > self.mw || self.cw == 0 {
            self.cw = self.mw;
        } else if self.di > 1 {
            self.cw = (self.cw / self.di) * self.di + 1;
        }
    }

    fn schedule(&mut self, d: &[D]) -> Option<usize> {
        let head = d.len();
        let mut dest = self.cl;
        if self.mw == 0 {
            return None;
        }
        let last = dest;
        let mut stop = None;
        let mut last_pass = false;
        let mut restarted = false;
        loop {
            dest = if dest == head { 0 } else { dest + 1 };
            while dest != head {
                if !d[dest].over && d[dest].w >= self.cw {
                    self.cl = dest;
                    return Some(dest);
                }
                if stop == Some(dest) {
                    self.cl = dest;
                    return None;
                }
                dest += 1;
            }
            self.cw -= self.di;
            if self.cw <= 0 {
                self.cw = self.mw;
                if last_pass || last == head {
                    self.cl = dest;
                    return None;
                }
                restarted = true;
            }
            last_pass = self.cw <= self.di;
            if last_pass && restarted && last != head {
                stop = Some(last);
            }
        }
    }
}

fn random_dests(rng: &mut Rng, max_len: u64) -> Vec<D> {
    let n = rng.below(max_len + 1);
    (0..n)
        .map(|_| D {
            w: if rng.chance(25) {
                0
            } else {
                1 + rng.below(8) as i32
            },
            active: rng.below(5) as u32,
            inact: rng.below(600) as u32,
            over: rng.chance(15),
        })
        .collect()
}

/// Runs the scheduler and the reference side by side over random changes of weights, of the
/// list and of overload flags. With `eager`, every change is reported by `State::update`;
/// otherwise by `State::reset`, with at most one change between two calls (where the two
/// agree).
fn wrr_against_reference(seed: u64, eager: bool) {
    let mut rng = Rng(seed);
    for _ in 0..300 {
        let mut d = random_dests(&mut rng, 7);
        let mut st = State::new();
        let mut r = RefWrr::new(&d);
        if eager {
            st.update(&d);
        }
        for step in 0..400 {
            let mut changed = false;
            match rng.below(100) {
                _ if step == 0 && !eager => {}
                0..=4 if !d.is_empty() => {
                    let i = rng.below(d.len() as u64) as usize;
                    d[i].w = rng.below(9) as i32;
                    changed = true;
                }
                5..=6 if !d.is_empty() => {
                    d.remove(rng.below(d.len() as u64) as usize);
                    changed = true;
                }
                7..=8 => {
                    d.push(w(rng.below(9) as i32));
                    changed = true;
                }
                9..=29 if !d.is_empty() => {
                    let i = rng.below(d.len() as u64) as usize;
                    d[i].over = !d[i].over;
                }
                _ => {}
            }
            if changed {
                r.dest_changed(&d);
                if eager {
                    st.update(&d);
                } else {
                    st.reset();
                }
            }
            let want = r.schedule(&d);
            let got = st.schedule(Kind::Wrr, &d);
            assert_eq!(got, want, "step {step}: {d:?}");
        }
    }
}

#[test]
fn wrr_matches_ip_vs_walk() {
    wrr_against_reference(0x9e37_79b9_7f4a_7c15, true);
    wrr_against_reference(0x0123_4567_89ab_cdef, false);
}

#[test]
fn wrr_update_follows_each_change() {
    // ip_vs: A (3) added: cw = 3; B (8) added: cw stays 3, so A comes first.
    let a = ws(&[3]);
    let ab = ws(&[3, 8]);
    let mut st = State::new();
    st.update(&a);
    st.update(&ab);
    assert_eq!(st.schedule(Kind::Wrr, &ab), Some(0));
    let mut r = RefWrr::new(&[]);
    r.dest_changed(&a);
    r.dest_changed(&ab);
    assert_eq!(r.schedule(&ab), Some(0));
    // reset() reads only the last list: the cycle starts from the top.
    let mut st = State::new();
    st.reset();
    st.reset();
    assert_eq!(st.schedule(Kind::Wrr, &ab), Some(1));
}

#[test]
fn never_picks_unusable() {
    let mut rng = Rng(12345);
    for _ in 0..500 {
        let mut d = random_dests(&mut rng, 9);
        let mut st = State::new();
        for _ in 0..200 {
            if !d.is_empty() && rng.chance(30) {
                let i = rng.below(d.len() as u64) as usize;
                d[i].over = rng.chance(20);
                d[i].active = rng.below(5) as u32;
            }
            let any = d.iter().any(usable);
            for k in Kind::ALL {
                let got = st.schedule(k, &d);
                match got {
                    Some(i) => assert!(usable(&d[i]), "{k:?} chose {i} of {d:?}"),
                    None => assert!(!any, "{k:?} found none in {d:?}"),
                }
                let Some(i) = got else { continue };
                let oh = overhead(&d[i]);
                for x in d.iter().filter(|x| usable(x)) {
                    match k {
                        Kind::Lc => assert!(oh <= overhead(x)),
                        Kind::Wlc => {
                            assert!(oh * x.w as u64 <= overhead(x) * d[i].w as u64)
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

#[test]
fn wrr_long_run_shares_equal_weights() {
    let mut rng = Rng(0xdead_beef);
    for _ in 0..300 {
        let n = 1 + rng.below(8) as usize;
        let mut weights: Vec<i32> = (0..n)
            .map(|_| {
                if rng.chance(20) {
                    0
                } else {
                    1 + rng.below(12) as i32
                }
            })
            .collect();
        if weights.iter().all(|&x| x == 0) {
            weights[0] = 1 + rng.below(12) as i32;
        }
        let g = weights.iter().fold(0, |g, &x| gcd(x, g));
        let cycle: i32 = weights.iter().map(|&x| x / g).sum();
        let d = ws(&weights);
        let mut st = State::new();
        let mut count = vec![0i32; n];
        let cycles = 3;
        for c in 0..cycles {
            let mut this = vec![0i32; n];
            for _ in 0..cycle {
                let i = st.schedule(Kind::Wrr, &d).unwrap();
                this[i] += 1;
            }
            // Every cycle on its own already has the exact shares.
            let want: Vec<i32> = weights.iter().map(|&x| x / g).collect();
            assert_eq!(this, want, "cycle {c} of {weights:?}");
            for (a, b) in count.iter_mut().zip(this) {
                *a += b;
            }
        }
        let total: i32 = count.iter().sum();
        let wsum: i32 = weights.iter().sum();
        for (c, &x) in count.iter().zip(weights.iter()) {
            assert_eq!(c * wsum, x * total, "{weights:?}");
        }
    }
}

#[test]
fn rr_is_fair_among_usable() {
    let mut rng = Rng(777);
    for _ in 0..300 {
        let d = random_dests(&mut rng, 8);
        let usable_count = d.iter().filter(|x| usable(x)).count();
        if usable_count == 0 {
            continue;
        }
        let mut st = State::new();
        let mut count = vec![0usize; d.len()];
        for _ in 0..usable_count * 4 {
            count[st.schedule(Kind::Rr, &d).unwrap()] += 1;
        }
        for (x, c) in d.iter().zip(count) {
            assert_eq!(c, if usable(x) { 4 } else { 0 });
        }
    }
}
