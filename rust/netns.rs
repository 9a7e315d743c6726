// SPDX-License-Identifier: GPL-2.0

//! What rvs keeps in each network namespace.

use core::sync::atomic::{AtomicI32, Ordering};

use kernel::prelude::*;

use crate::kabi::net::Net;
use crate::kabi::proc::ProcFiles;
use crate::kabi::sysctl::{SysctlTable, SysctlValues};
use crate::rvs_core::abi;
use crate::rvs_core::ctl::{Timeouts, DEFAULT_TIMEOUTS};

/// The rvs state of one namespace.
pub(crate) struct NetState {
    // Dropped first: the files that read the state.
    _proc: ProcFiles,
    sysctl: SysctlTable,
    /// Timeouts of established TCP, closing TCP and UDP entries, in seconds.
    timeouts: [AtomicI32; 3],
}

impl NetState {
    /// Creates the state of `net`, with its /proc/net files and sysctls.
    pub(crate) fn new(net: &Net) -> Result<KBox<Self>> {
        let size = crate::conn_table::configured_buckets()?;
        let values = SysctlValues {
            debug_level: AtomicI32::new(0),
            conn_tab_size: AtomicI32::new(size as i32),
        };
        let sysctl = SysctlTable::new(net, KBox::new(values, GFP_KERNEL)?)?;
        let proc = ProcFiles::new(net)?;
        let timeouts = [
            AtomicI32::new(DEFAULT_TIMEOUTS.tcp),
            AtomicI32::new(DEFAULT_TIMEOUTS.tcp_fin),
            AtomicI32::new(DEFAULT_TIMEOUTS.udp),
        ];
        Ok(KBox::new(
            Self {
                _proc: proc,
                sysctl,
                timeouts,
            },
            GFP_KERNEL,
        )?)
    }

    /// Whether control commands are logged.
    pub(crate) fn debug(&self) -> bool {
        self.sysctl.values().debug_level.load(Ordering::Relaxed) > 0
    }

    /// Buckets of the connection table.
    pub(crate) fn conn_tab_size(&self) -> u32 {
        self.sysctl.values().conn_tab_size.load(Ordering::Relaxed) as u32
    }

    /// Current timeouts.
    pub(crate) fn timeouts(&self) -> Timeouts {
        let [tcp, fin, udp] = &self.timeouts;
        Timeouts {
            tcp: tcp.load(Ordering::Relaxed),
            tcp_fin: fin.load(Ordering::Relaxed),
            udp: udp.load(Ordering::Relaxed),
        }
    }

    /// Applies a `--set tcp tcpfin udp` request (zeros keep the current values).
    pub(crate) fn set_timeouts(&self, t: &abi::TimeoutUser) {
        let mut cur = self.timeouts();
        cur.apply(t);
        let [tcp, fin, udp] = &self.timeouts;
        tcp.store(cur.tcp, Ordering::Relaxed);
        fin.store(cur.tcp_fin, Ordering::Relaxed);
        udp.store(cur.udp, Ordering::Relaxed);
    }

    /// Number of virtual services in this namespace.
    pub(crate) fn num_services(&self) -> u32 {
        // Services are added by the data-path work; none can exist yet.
        0
    }
}
