// SPDX-License-Identifier: GPL-2.0

//! Least connections (ip_vs's `lc`): the available real server with the least
//! [`overhead`].

use crate::rvs_core::sched::{available, overhead, Dest};

/// The real server with a positive weight, not overloaded, with the least overhead; the
/// first in the list among equals. None when there is none.
pub fn schedule<D: Dest>(dests: &[D]) -> Option<usize> {
    let mut least: Option<(usize, u64)> = None;
    for (i, d) in dests.iter().enumerate() {
        if !available(d) {
            continue;
        }
        let doh = overhead(d);
        let better = match least {
            None => true,
            Some((_, loh)) => doh < loh,
        };
        if better {
            least = Some((i, doh));
        }
    }
    least.map(|(i, _)| i)
}
