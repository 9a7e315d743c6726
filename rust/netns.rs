// SPDX-License-Identifier: GPL-2.0

//! What rvs keeps in each network namespace.

use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use kernel::new_mutex;
use kernel::prelude::*;
use kernel::sync::{Arc, Mutex};

use crate::kabi::net::Net;
use crate::kabi::proc::ProcFiles;
use crate::kabi::rcu::{Guard, RcuBox, Writer};
use crate::kabi::sysctl::{SysctlTable, SysctlValues};
use crate::rvs_core::abi;
use crate::rvs_core::ctl::{Timeouts, DEFAULT_TIMEOUTS};
use crate::service::ServiceList;
use crate::stats::Stats;

/// The rvs state of one namespace.
pub(crate) struct NetState {
    // Dropped first: the files that read the state.
    _proc: ProcFiles,
    sysctl: SysctlTable,
    /// Timeouts of established TCP, closing TCP and UDP entries, in seconds.
    timeouts: [AtomicI32; 3],
    /// Serialises control commands (and /proc listings) of the namespace; holds the token
    /// that writes its services and their server lists.
    pub(crate) ctl: Pin<KBox<Mutex<Writer>>>,
    /// The virtual services, published to the data path.
    pub(crate) services: RcuBox<ServiceList>,
    num_services: AtomicU32,
    /// Totals of the namespace (`/proc/net/rvs_stats`).
    pub(crate) tot_stats: Arc<Stats>,
    /// The namespace's identity in connection entries.
    pub(crate) net_id: usize,
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
                ctl: KBox::pin_init(new_mutex!(Writer::new(), "rvs_ctl"), GFP_KERNEL)?,
                services: RcuBox::new(KBox::new(KVec::new(), GFP_KERNEL)?),
                num_services: AtomicU32::new(0),
                tot_stats: Arc::new(Stats::default(), GFP_KERNEL)?,
                net_id: net.id(),
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
        self.num_services.load(Ordering::Relaxed)
    }

    /// The services, for the data path.
    pub(crate) fn services<'g>(&'g self, guard: &'g Guard) -> Option<&'g ServiceList> {
        self.services.get(guard)
    }

    /// Publishes a new service list; returns the old one, which no reader sees any more.
    pub(crate) fn publish_services(
        &self,
        w: &mut Writer,
        list: KBox<ServiceList>,
    ) -> Option<KBox<ServiceList>> {
        self.num_services
            .store(list.len() as u32, Ordering::Relaxed);
        self.services.replace(w, list)
    }
}

impl Drop for NetState {
    fn drop(&mut self) {
        // The hooks of this namespace are gone (device operations exit first): free its
        // connections before the services and servers they point at.
        let net = self.net_id;
        crate::conn_table::remove_if(|c| c.in_net(net));
    }
}
