// SPDX-License-Identifier: GPL-2.0

//! Weighted least connections (ip_vs's `wlc`): the available real server with the least
//! [`overhead`] per unit of weight.

use crate::rvs_core::sched::{available, overhead, weight_of, Dest};

/// The real server with a positive weight, not overloaded, with the least overhead / weight;
/// the first in the list among equals. None when there is none.
///
/// As ip_vs, the ratios are compared by cross-multiplication: `d` replaces the least so far
/// when `loh * weight(d) > doh * weight(least)`. Overheads are below 2^41 and weights below
/// 2^16, so the products fit in a `u64`.
pub fn schedule<D: Dest>(dests: &[D]) -> Option<usize> {
    let mut least: Option<(usize, u64, u64)> = None;
    for (i, d) in dests.iter().enumerate() {
        if !available(d) {
            continue;
        }
        let doh = overhead(d);
        let dw = u64::from(weight_of(d).unsigned_abs());
        let better = match least {
            None => true,
            Some((_, loh, lw)) => loh.saturating_mul(dw) > doh.saturating_mul(lw),
        };
        if better {
            least = Some((i, doh, dw));
        }
    }
    least.map(|(i, _, _)| i)
}
