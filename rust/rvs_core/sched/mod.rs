// SPDX-License-Identifier: GPL-2.0

//! Schedulers: which real server takes a new connection.
//!
//! The algorithms are ip_vs's `rr`, `wrr`, `lc` and `wlc`, one per file. A scheduler sees the
//! service's real servers as a slice of [`Dest`] in list order and answers with an index into
//! it; the state it keeps between calls (the round robin position, the weighted round robin
//! mark) lives in a [`State`], one per service, whose calls the caller serialises.
//!
//! Weights outside `0..=65535` (ip_vs's range) are clamped into it, so every comparison is
//! exact and no arithmetic can overflow.

pub mod lc;
pub mod rr;
pub mod wlc;
pub mod wrr;

/// Largest weight a real server may have (as ip_vs).
pub const MAX_WEIGHT: i32 = 65535;

/// What a scheduler reads of one real server.
pub trait Dest {
    /// Weight, 0..=65535; 0 means quiesced: never chosen for new connections.
    fn weight(&self) -> i32;
    /// Connections in an active state.
    fn activeconns(&self) -> u32;
    /// Other connections.
    fn inactconns(&self) -> u32;
    /// Over its upper connection threshold: never chosen.
    fn overloaded(&self) -> bool {
        false
    }
}

impl<D: Dest + ?Sized> Dest for &D {
    fn weight(&self) -> i32 {
        (**self).weight()
    }

    fn activeconns(&self) -> u32 {
        (**self).activeconns()
    }

    fn inactconns(&self) -> u32 {
        (**self).inactconns()
    }

    fn overloaded(&self) -> bool {
        (**self).overloaded()
    }
}

/// ip_vs's connection overhead: activeconns * 256 + totalconns (active and inactive), in u64.
///
/// At most `(2^32 - 1) * 257`, below 2^41, so a product with a weight (below 2^16) fits in a
/// `u64`.
pub fn overhead<D: Dest>(d: &D) -> u64 {
    // ip_vs 6.12: activeconns * 256 + totalconns.
    (u64::from(d.activeconns()) << 8) + u64::from(d.activeconns()) + u64::from(d.inactconns())
}

/// The weight of `d` clamped to `0..=MAX_WEIGHT`: what every scheduler uses.
pub fn weight_of<D: Dest>(d: &D) -> i32 {
    d.weight().clamp(0, MAX_WEIGHT)
}

/// Whether `d` may take a new connection at all: a positive weight and not overloaded.
pub fn available<D: Dest>(d: &D) -> bool {
    weight_of(d) > 0 && !d.overloaded()
}

/// A scheduling algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Round robin.
    Rr,
    /// Weighted round robin.
    Wrr,
    /// Least connections.
    Lc,
    /// Weighted least connections.
    Wlc,
}

impl Kind {
    /// Every scheduler, in the order above.
    pub const ALL: [Kind; 4] = [Kind::Rr, Kind::Wrr, Kind::Lc, Kind::Wlc];

    /// The scheduler named by a NUL-padded name field (bytes up to the first NUL; the whole
    /// slice if none): "rr", "wrr", "lc", "wlc". None for anything else, including empty.
    pub fn from_name(name: &[u8]) -> Option<Kind> {
        let len = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        let name = name.get(..len)?;
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name().as_bytes() == name)
    }

    /// Its name, as ipvsadm prints it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Rr => "rr",
            Kind::Wrr => "wrr",
            Kind::Lc => "lc",
            Kind::Wlc => "wlc",
        }
    }
}

/// A service's scheduler state. The caller serialises calls on one State (a lock per service).
#[derive(Clone, Debug, Default)]
pub struct State {
    rr: rr::Rr,
    wrr: wrr::Wrr,
}

impl State {
    /// A state for a new service: positions at the head of the list, weights not yet read.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget cached weights and wrr's position: called after the destination list or a
    /// weight changed.
    ///
    /// As ip_vs on such a change: wrr's position goes back to the head of the list and its
    /// weights are read again on the next call (its current weight is kept when still in
    /// range), while rr's position is kept, as ip_vs's rr keeps it (it is checked against the
    /// list on every call, a position past the end counting as the head).
    pub fn reset(&mut self) {
        self.rr.reset();
        self.wrr.reset();
    }

    /// As [`State::reset`], but reads the new weights at once, as ip_vs's wrr does on each
    /// change (`ip_vs_wrr_dest_changed()`).
    ///
    /// wrr keeps its current weight across a change when it is still in range, so after
    /// several changes with no call to [`State::schedule`] in between, where the next cycle
    /// starts depends on each intermediate list: calling this after each change follows ip_vs
    /// exactly, [`State::reset`] only as far as the last change. The shares are the same.
    pub fn update<D: Dest>(&mut self, dests: &[D]) {
        self.rr.reset();
        self.wrr.update(dests);
    }

    /// Index into `dests` of the real server for a new connection, or None when no server can
    /// take it (empty, all weight 0, all overloaded).
    pub fn schedule<D: Dest>(&mut self, kind: Kind, dests: &[D]) -> Option<usize> {
        match kind {
            Kind::Rr => self.rr.schedule(dests),
            Kind::Wrr => self.wrr.schedule(dests),
            Kind::Lc => lc::schedule(dests),
            Kind::Wlc => wlc::schedule(dests),
        }
    }
}

/// Greatest common divisor; `gcd(0, b) == b`.
pub(crate) fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        let r = a % b;
        a = b;
        b = r;
    }
    a
}
