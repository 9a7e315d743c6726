// SPDX-License-Identifier: GPL-2.0

//! Weighted round robin (ip_vs's `wrr`).
//!
//! The mark keeps a current weight `cw` and a position in the list. A call walks the list from
//! after the position and takes the first real server, not overloaded, whose weight is at least
//! `cw`; each time the walk passes the end of the list, `cw` steps down by the gcd of the
//! weights, and once it is no longer positive it restarts at the maximum weight. Over one
//! cycle (from the maximum down) a server of weight `w` is thus chosen `w / gcd` times, the
//! heaviest ones first: weights 4, 3, 2 give A A B A B C A B C.
//!
//! A walk gives up, as ip_vs's, once every real server was tried against a current weight of
//! at most the gcd (so against every positive weight) without success.

use crate::rvs_core::sched::{available, gcd, weight_of, Dest};

/// The weighted round robin mark of one service (ip_vs's `struct ip_vs_wrr_mark`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wrr {
    /// Last index chosen; `None` is the head of the list.
    cl: Option<usize>,
    /// Current weight.
    cw: i32,
    /// Maximum weight, less `di - 1`.
    mw: i32,
    /// Step of `cw`: the gcd of the positive weights, 1 when there are none.
    di: i32,
    /// Whether `mw` and `di` were computed from the list since the last reset.
    fresh: bool,
}

impl Wrr {
    /// A mark at the head of the list, weights not yet read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Called after the list or a weight changed: the position goes back to the head of the
    /// list and the weights are read again on the next call.
    pub fn reset(&mut self) {
        self.cl = None;
        self.fresh = false;
    }

    /// Called after the list or a weight changed, with the new list: as [`Wrr::reset`], but
    /// reads the weights at once.
    pub fn update<D: Dest>(&mut self, dests: &[D]) {
        self.recompute(dests);
    }

    /// Reads the weights, as ip_vs's `ip_vs_wrr_dest_changed()` (and, for a new mark whose
    /// `cw` is 0, `ip_vs_wrr_init_svc()`).
    fn recompute<D: Dest>(&mut self, dests: &[D]) {
        let mut g: u32 = 0;
        let mut max: i32 = 0;
        for d in dests {
            let w = weight_of(d);
            max = max.max(w);
            g = gcd(g, w.unsigned_abs());
        }
        // Both are at most MAX_WEIGHT, so these conversions and subtractions are exact.
        let di = i32::try_from(g).unwrap_or(1).max(1);
        self.di = di;
        self.mw = max.saturating_sub(di.saturating_sub(1));
        self.cl = None;
        if self.cw > self.mw || self.cw <= 0 {
            self.cw = self.mw;
        } else if di > 1 {
            self.cw = (self.cw / di).saturating_mul(di).saturating_add(1);
        }
        self.fresh = true;
    }

    /// Whether `d` can be chosen at the current weight.
    fn fits<D: Dest>(&self, d: &D) -> bool {
        available(d) && weight_of(d) >= self.cw
    }

    /// The index of the real server for a new connection, as ip_vs's `ip_vs_wrr_schedule()`.
    /// None when the weights are all 0, or every real server with a positive weight is
    /// overloaded.
    pub fn schedule<D: Dest>(&mut self, dests: &[D]) -> Option<usize> {
        if !self.fresh {
            self.recompute(dests);
        }
        let n = dests.len();
        if self.cl.is_some_and(|i| i >= n) {
            self.cl = None;
        }
        if self.mw <= 0 {
            return None;
        }
        if !dests.iter().any(available) {
            self.give_up();
            return None;
        }

        let last = self.cl;
        let mut next = last.map_or(0, |i| i + 1);
        let mut stop = None;
        let mut last_pass = false;
        let mut restarted = false;
        // Each time round, `cw` steps down by `di >= 1` or restarts at `mw`; the second
        // restart in a call, or reaching `stop` after the first, ends it, so this terminates
        // within `(cw + mw) / di + 2` walks of the list.
        loop {
            while let Some(d) = dests.get(next) {
                if self.fits(d) {
                    self.cl = Some(next);
                    return Some(next);
                }
                if stop == Some(next) {
                    self.cl = Some(next);
                    return None;
                }
                next += 1;
            }
            self.cw = self.cw.saturating_sub(self.di);
            if self.cw <= 0 {
                self.cw = self.mw;
                if last_pass || last.is_none() {
                    self.cl = None;
                    return None;
                }
                restarted = true;
            }
            last_pass = self.cw <= self.di;
            if last_pass && restarted && last.is_some() {
                // The first walk tried only the servers after `last`, at weight >= 1: now
                // try those up to it.
                stop = last;
            }
            next = 0;
        }
    }

    /// Leaves the mark as the walk of [`Wrr::schedule`] would when no real server is
    /// available, without walking the list up to `mw / di` times.
    fn give_up(&mut self) {
        match self.cl {
            Some(_) if self.cw <= self.di => {
                // The first walk ends in a restart at `mw`; the walks then go down to the
                // first current weight of at most `di` and stop at the last position.
                self.cw = (self.mw - 1) % self.di + 1;
            }
            _ => {
                self.cl = None;
                self.cw = self.mw;
            }
        }
    }
}
