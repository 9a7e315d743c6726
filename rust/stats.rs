// SPDX-License-Identifier: GPL-2.0

//! Counters of services, real servers and namespaces.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::rvs_core::abi;

/// Connections, packets and bytes in each direction.
///
/// Counters are relaxed atomics: each is exact, a set of them read together is not a snapshot.
#[derive(Default)]
pub(crate) struct Stats {
    conns: AtomicU64,
    inpkts: AtomicU64,
    outpkts: AtomicU64,
    inbytes: AtomicU64,
    outbytes: AtomicU64,
}

impl Stats {
    /// Counts a new connection.
    pub(crate) fn conn(&self) {
        self.conns.fetch_add(1, Relaxed);
    }

    /// Counts a packet of `bytes` from client to server.
    pub(crate) fn packet_in(&self, bytes: u32) {
        self.inpkts.fetch_add(1, Relaxed);
        self.inbytes.fetch_add(u64::from(bytes), Relaxed);
    }

    /// Counts a packet of `bytes` from server to client.
    pub(crate) fn packet_out(&self, bytes: u32) {
        self.outpkts.fetch_add(1, Relaxed);
        self.outbytes.fetch_add(u64::from(bytes), Relaxed);
    }

    fn counters(&self) -> [u64; 5] {
        [
            self.conns.load(Relaxed),
            self.inpkts.load(Relaxed),
            self.outpkts.load(Relaxed),
            self.inbytes.load(Relaxed),
            self.outbytes.load(Relaxed),
        ]
    }

    /// Zeroes the counters and rates (`rvsadm -Z`).
    pub(crate) fn zero(&self) {
        for c in [
            &self.conns,
            &self.inpkts,
            &self.outpkts,
            &self.inbytes,
            &self.outbytes,
        ] {
            c.store(0, Relaxed);
        }
    }

    /// The ABI view. Rates are not estimated yet: they read 0.
    pub(crate) fn to_user(&self) -> abi::StatsUser {
        let [conns, inpkts, outpkts, inbytes, outbytes] = self.counters();
        abi::StatsUser {
            conns,
            inpkts,
            outpkts,
            inbytes,
            outbytes,
            ..Default::default()
        }
    }
}
