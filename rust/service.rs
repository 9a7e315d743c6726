// SPDX-License-Identifier: GPL-2.0

//! Virtual services and their real servers.
//!
//! A namespace's services form a copy-on-write list published to the data path with RCU; so
//! does each service's list of real servers. Control commands (serialised by the namespace's
//! mutex) build a new list and publish it; the data path reads without locks. What changes in
//! place (weights, counters, the scheduler's position) is atomic or behind a per-service lock:
//! there is no global lock on the packet path.

use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU8, Ordering::Relaxed};

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::kabi::rcu::{Guard, RcuBox, Writer};
use crate::kabi::sync::{new_spinlock_bh, SpinLockBh};
use crate::rvs_core::abi;
use crate::rvs_core::sched::{self, Kind};
use crate::stats::Stats;

/// The identity of a service: family, protocol, address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SvcKey {
    /// Address family.
    pub(crate) af: u16,
    /// IP protocol.
    pub(crate) protocol: u16,
    /// Virtual address.
    pub(crate) addr: [u8; 16],
    /// Virtual port, as on the wire.
    pub(crate) port: u16,
}

impl SvcKey {
    /// The key a control request names.
    pub(crate) fn of(s: &abi::ServiceUser) -> Self {
        Self {
            af: s.af,
            protocol: s.protocol,
            addr: s.addr,
            port: s.port,
        }
    }
}

/// A real server of a service.
pub(crate) struct Dest {
    /// Address family.
    pub(crate) af: u16,
    /// Address.
    pub(crate) addr: [u8; 16],
    /// Port, as on the wire.
    pub(crate) port: u16,
    /// Forwarding method (`RVS_CONN_F_*`).
    conn_flags: AtomicU32,
    weight: AtomicI32,
    u_threshold: AtomicU32,
    l_threshold: AtomicU32,
    overloaded: AtomicBool,
    /// Still part of its service; connections to a removed server drop their packets.
    available: AtomicBool,
    activeconns: AtomicU32,
    inactconns: AtomicU32,
    /// This server's counters.
    pub(crate) stats: Stats,
    /// Its service's counters.
    pub(crate) svc_stats: Arc<Stats>,
    /// The namespace's counters.
    pub(crate) tot_stats: Arc<Stats>,
}

impl Dest {
    /// A new real server from a checked request.
    pub(crate) fn new(
        d: &abi::DestUser,
        af: u16,
        svc_stats: Arc<Stats>,
        tot_stats: Arc<Stats>,
    ) -> Result<Arc<Self>> {
        let dest = Arc::new(
            Self {
                af,
                addr: d.addr,
                port: d.port,
                conn_flags: AtomicU32::new(0),
                weight: AtomicI32::new(0),
                u_threshold: AtomicU32::new(0),
                l_threshold: AtomicU32::new(0),
                overloaded: AtomicBool::new(false),
                available: AtomicBool::new(true),
                activeconns: AtomicU32::new(0),
                inactconns: AtomicU32::new(0),
                stats: Stats::default(),
                svc_stats,
                tot_stats,
            },
            GFP_KERNEL,
        )?;
        dest.update(d);
        Ok(dest)
    }

    /// Applies the settable fields of a request (`-a`, `-e`).
    pub(crate) fn update(&self, d: &abi::DestUser) {
        self.conn_flags.store(d.conn_flags & abi_fwd::MASK, Relaxed);
        self.weight.store(d.weight, Relaxed);
        self.u_threshold.store(d.u_threshold, Relaxed);
        self.l_threshold.store(d.l_threshold, Relaxed);
        self.check_overload(true);
    }

    /// The forwarding method.
    pub(crate) fn fwd(&self) -> u32 {
        self.conn_flags.load(Relaxed)
    }

    /// Whether connections to this server may still carry packets.
    pub(crate) fn available(&self) -> bool {
        self.available.load(Relaxed)
    }

    /// Takes the server out of service (deleted, or its service is).
    pub(crate) fn retire(&self) {
        self.available.store(false, Relaxed);
    }

    /// Counts a new connection, active or not.
    pub(crate) fn bind(&self, active: bool) {
        if active {
            self.activeconns.fetch_add(1, Relaxed);
        } else {
            self.inactconns.fetch_add(1, Relaxed);
        }
        self.check_overload(false);
    }

    /// Forgets a connection that ends in an active or inactive state.
    pub(crate) fn unbind(&self, active: bool) {
        let c = if active {
            &self.activeconns
        } else {
            &self.inactconns
        };
        // Never below zero, whatever a racing state change did.
        let _ = c.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(1)));
        self.check_overload(false);
    }

    /// Moves a connection between the active and inactive counts.
    pub(crate) fn set_active(&self, active: bool) {
        let (from, to) = if active {
            (&self.inactconns, &self.activeconns)
        } else {
            (&self.activeconns, &self.inactconns)
        };
        let _ = from.fetch_update(Relaxed, Relaxed, |v| Some(v.saturating_sub(1)));
        to.fetch_add(1, Relaxed);
    }

    /// ip_vs's overload hysteresis: overloaded at `u_threshold` connections, back in service
    /// below `l_threshold` (or three quarters of the upper one when it is 0).
    fn check_overload(&self, reset: bool) {
        let u = self.u_threshold.load(Relaxed);
        if u == 0 {
            self.overloaded.store(false, Relaxed);
            return;
        }
        let total =
            u64::from(self.activeconns.load(Relaxed)) + u64::from(self.inactconns.load(Relaxed));
        let l = match self.l_threshold.load(Relaxed) {
            0 => u - (u >> 2),
            l => l,
        };
        if total >= u64::from(u) {
            self.overloaded.store(true, Relaxed);
        } else if total < u64::from(l) || reset {
            self.overloaded.store(false, Relaxed);
        }
    }

    /// The ABI view, for listings.
    pub(crate) fn entry(&self) -> abi::DestEntry {
        abi::DestEntry {
            dest: abi::DestUser {
                af: self.af,
                port: self.port,
                addr: self.addr,
                conn_flags: self.fwd(),
                weight: self.weight.load(Relaxed),
                u_threshold: self.u_threshold.load(Relaxed),
                l_threshold: self.l_threshold.load(Relaxed),
                ..Default::default()
            },
            activeconns: self.activeconns.load(Relaxed),
            inactconns: self.inactconns.load(Relaxed),
            persistconns: 0,
            __pad0: 0,
            stats: self.stats.to_user(),
        }
    }
}

/// Forwarding-method bits of a destination's `conn_flags`.
pub(crate) mod abi_fwd {
    /// The method's bits.
    pub(crate) const MASK: u32 = 0x7;
    /// NAT.
    pub(crate) const MASQ: u32 = 0;
    /// IP-in-IP tunnel.
    pub(crate) const TUNNEL: u32 = 2;
    /// Direct routing.
    pub(crate) const DROUTE: u32 = 3;
}

impl sched::Dest for Arc<Dest> {
    fn weight(&self) -> i32 {
        self.weight.load(Relaxed)
    }
    fn activeconns(&self) -> u32 {
        self.activeconns.load(Relaxed)
    }
    fn inactconns(&self) -> u32 {
        self.inactconns.load(Relaxed)
    }
    fn overloaded(&self) -> bool {
        self.overloaded.load(Relaxed)
    }
}

/// A real-server list as published.
pub(crate) type DestList = KVec<Arc<Dest>>;

/// A virtual service.
#[pin_data]
pub(crate) struct Service {
    /// Its identity.
    pub(crate) key: SvcKey,
    sched_kind: AtomicU8,
    flags: AtomicU32,
    timeout: AtomicU32,
    netmask: AtomicU32,
    /// Its real servers.
    pub(crate) dests: RcuBox<DestList>,
    #[pin]
    sched: SpinLockBh<sched::State>,
    /// Its counters.
    pub(crate) stats: Arc<Stats>,
}

fn kind_code(k: Kind) -> u8 {
    match k {
        Kind::Rr => 0,
        Kind::Wrr => 1,
        Kind::Lc => 2,
        Kind::Wlc => 3,
    }
}

fn kind_of(c: u8) -> Kind {
    match c {
        0 => Kind::Rr,
        1 => Kind::Wrr,
        2 => Kind::Lc,
        _ => Kind::Wlc,
    }
}

impl Service {
    /// A new service without real servers, from a checked request.
    pub(crate) fn new(s: &abi::ServiceUser, kind: Kind) -> Result<Arc<Self>> {
        let stats = Arc::new(Stats::default(), GFP_KERNEL)?;
        let dests = RcuBox::new(KBox::new(KVec::new(), GFP_KERNEL)?);
        let svc = Arc::pin_init(
            pin_init!(Self {
                key: SvcKey::of(s),
                sched_kind: AtomicU8::new(kind_code(kind)),
                flags: AtomicU32::new(s.flags),
                timeout: AtomicU32::new(s.timeout),
                netmask: AtomicU32::new(s.netmask),
                dests,
                sched <- new_spinlock_bh!(sched::State::new(), "rvs_service_sched"),
                stats,
            }),
            GFP_KERNEL,
        )?;
        Ok(svc)
    }

    /// Applies an edit (`-E`).
    pub(crate) fn update(&self, s: &abi::ServiceUser, kind: Kind) {
        self.sched_kind.store(kind_code(kind), Relaxed);
        self.flags.store(s.flags, Relaxed);
        self.timeout.store(s.timeout, Relaxed);
        self.netmask.store(s.netmask, Relaxed);
        self.sched.lock().reset();
    }

    /// The scheduler.
    pub(crate) fn kind(&self) -> Kind {
        kind_of(self.sched_kind.load(Relaxed))
    }

    /// Picks a real server for a new connection.
    pub(crate) fn schedule<'g>(&'g self, guard: &'g Guard) -> Option<&'g Arc<Dest>> {
        let dests = self.dests.get(guard)?;
        let i = self.sched.lock().schedule(self.kind(), dests)?;
        dests.get(i)
    }

    /// Tells the scheduler that the list or a weight changed.
    pub(crate) fn dests_changed(&self) {
        self.sched.lock().reset();
    }

    /// The ABI view of the service.
    pub(crate) fn user(&self) -> abi::ServiceUser {
        let mut u = abi::ServiceUser {
            af: self.key.af,
            protocol: self.key.protocol,
            port: self.key.port,
            addr: self.key.addr,
            flags: self.flags.load(Relaxed),
            timeout: self.timeout.load(Relaxed),
            netmask: self.netmask.load(Relaxed),
            ..Default::default()
        };
        let name = self.kind().name().as_bytes();
        u.sched_name[..name.len()].copy_from_slice(name);
        u
    }

    /// The real servers, for the writer.
    pub(crate) fn dest_list<'a>(&'a self, w: &'a Writer) -> &'a [Arc<Dest>] {
        self.dests.get_locked(w).map_or(&[][..], |l| l)
    }

    /// The ABI view with counters, for listings.
    pub(crate) fn entry(&self, w: &Writer) -> abi::ServiceEntry {
        abi::ServiceEntry {
            svc: self.user(),
            num_dests: self.dest_list(w).len() as u32,
            __pad0: 0,
            stats: self.stats.to_user(),
        }
    }
}

/// A namespace's service list as published.
pub(crate) type ServiceList = KVec<Arc<Service>>;

/// Finds the service `key` in `list`.
pub(crate) fn find<'a>(list: &'a [Arc<Service>], key: &SvcKey) -> Option<&'a Arc<Service>> {
    list.iter().find(|s| s.key == *key)
}

/// The service of packets to `addr`:`port` over `protocol` (family `af`).
pub(crate) fn lookup_vip<'a>(
    list: &'a ServiceList,
    af: u16,
    protocol: u16,
    addr: &[u8; 16],
    port: u16,
) -> Option<&'a Arc<Service>> {
    find(
        list,
        &SvcKey {
            af,
            protocol,
            addr: *addr,
            port,
        },
    )
}
