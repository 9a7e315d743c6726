// SPDX-License-Identifier: GPL-2.0

//! Round robin (ip_vs's `rr`): the next available real server after the last one chosen.

use crate::rvs_core::sched::{available, Dest};

/// Round robin position: the index of the last real server chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rr {
    /// Last index chosen; `None` is the head of the list (nothing chosen yet).
    last: Option<usize>,
}

impl Rr {
    /// A position at the head of the list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Called after the list or a weight changed. ip_vs's rr keeps its position then (it only
    /// moves it off a removed server), and so does this: a position past the end of the list
    /// counts as the head.
    pub fn reset(&mut self) {}

    /// The first real server after the last one chosen, wrapping around, with a positive
    /// weight and not overloaded; the last one chosen is tried last. None when there is none,
    /// leaving the position as it was.
    pub fn schedule<D: Dest>(&mut self, dests: &[D]) -> Option<usize> {
        let n = dests.len();
        let start = match self.last {
            Some(i) if i < n => i + 1,
            _ => 0,
        };
        let found = (start..n)
            .chain(0..start)
            .find(|&i| dests.get(i).is_some_and(available))?;
        self.last = Some(found);
        Some(found)
    }
}
