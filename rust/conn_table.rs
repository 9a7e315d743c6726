// SPDX-License-Identifier: GPL-2.0

//! The connection table: which real server each connection goes to, and in what state.
//!
//! One table serves every namespace, as ip_vs's does; entries carry their namespace. Entries
//! live in a slab cache and hang in RCU hash chains keyed (with a random seed) by the client's
//! protocol, address and port, so a request (source = client) and its reply (destination =
//! client) find the entry in the same bucket. Lookups are lockless, inserts and removals take
//! the bucket's lock, and a collector running every second removes expired entries. Timeouts
//! follow ip_vs's TCP state machine, and the UDP timeout.

use core::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use kernel::c_str;
use kernel::prelude::*;
use kernel::sync::Arc;

use crate::kabi::global::{Global, Publication};
use crate::kabi::rcu::{self, Guard};
use crate::kabi::rcu_table::RcuTable;
use crate::kabi::time;
use crate::rvs_core::conn;
use crate::rvs_core::ctl::{proto, Timeouts};
use crate::rvs_core::tcp_state::{self, Dir, TcpState};
use crate::service::Dest;

/// The state value of an entry that left the table: no transition applies any more.
const DEAD: u8 = 0xff;
/// The state value of UDP entries.
const UDP_STATE: u8 = 0;
/// Seconds a brand-new entry lives before its first state change (ip_vs: 3 s).
const NEW_TIMEOUT: u64 = 3;

/// One connection.
pub(crate) struct Conn {
    /// The namespace, as an identity (never dereferenced).
    net: usize,
    /// Address family.
    pub(crate) af: u16,
    /// IP protocol.
    pub(crate) protocol: u8,
    /// Client, virtual and real server addresses.
    pub(crate) caddr: [u8; 16],
    /// Virtual address.
    pub(crate) vaddr: [u8; 16],
    /// Real server address.
    pub(crate) daddr: [u8; 16],
    /// Client port, as on the wire.
    pub(crate) cport: u16,
    /// Virtual port.
    pub(crate) vport: u16,
    /// Real server port.
    pub(crate) dport: u16,
    /// Forwarding method, fixed at creation.
    pub(crate) fwd: u32,
    state: AtomicU8,
    expires: AtomicU64,
    /// The real server.
    pub(crate) dest: Arc<Dest>,
}

/// The module's connection table.
pub(crate) struct ConnTable {
    table: RcuTable<Conn>,
    seed: u32,
}

/// The table the hooks, control commands and /proc reach; empty before init and after exit.
static TABLE: Global<ConnTable> = Global::new();

/// The bucket count the `conn_tab_bits` parameter asks for, or `EINVAL` with a message.
pub(crate) fn configured_buckets() -> Result<u32> {
    let bits = crate::kabi::param::conn_tab_bits();
    conn::buckets_for_bits(bits).ok_or_else(|| {
        pr_err!(
            "rvs: conn_tab_bits={} is outside {}..={}\n",
            bits,
            conn::MIN_TAB_BITS,
            conn::MAX_TAB_BITS
        );
        EINVAL
    })
}

/// The published table, for the length of a read-side section.
pub(crate) fn table(guard: &Guard) -> Option<&ConnTable> {
    TABLE.get(guard)
}

/// The table, published for the data path with its collector running; on drop the collector
/// stops, then the table is unpublished, then emptied and freed (fields drop in order).
pub(crate) struct Published {
    _gc: crate::kabi::gc::Collector,
    table: Publication<ConnTable>,
}

impl Published {
    /// Creates the table of `buckets` buckets, publishes it and starts its collector.
    pub(crate) fn new(buckets: u32) -> Result<Self> {
        let table = KBox::pin(
            ConnTable {
                table: RcuTable::new(c_str!("rvs_conn"), buckets)?,
                seed: crate::kabi::random::random_u32(),
            },
            GFP_KERNEL,
        )?;
        let table = TABLE.publish(table)?;
        let gc = crate::kabi::gc::Collector::start();
        Ok(Self { _gc: gc, table })
    }

    /// Bytes the slab allocator spends on one entry.
    pub(crate) fn entry_size(&self) -> u32 {
        self.table.entry_size()
    }
}

fn now() -> u64 {
    time::jiffies()
}

impl Conn {
    fn state_raw(&self) -> u8 {
        self.state.load(Ordering::Relaxed)
    }

    /// The TCP state (NONE for UDP).
    pub(crate) fn tcp_state(&self) -> TcpState {
        TcpState::from_u8(self.state_raw()).unwrap_or(TcpState::None)
    }

    fn active_in(protocol: u8, state: u8) -> bool {
        u16::from(protocol) == proto::TCP
            && TcpState::from_u8(state).is_some_and(TcpState::is_active)
    }

    /// Whether this entry belongs to the namespace `net`.
    pub(crate) fn in_net(&self, net: usize) -> bool {
        self.net == net
    }

    /// Seconds until it expires.
    pub(crate) fn expires_in(&self) -> u64 {
        let left = self.expires.load(Ordering::Relaxed).saturating_sub(now());
        left / time::hz().max(1)
    }

    /// The state's name, as /proc/net/rvs_conn shows it.
    pub(crate) fn state_name(&self) -> &'static str {
        if u16::from(self.protocol) == proto::TCP {
            self.tcp_state().name()
        } else {
            tcp_state::UDP_STATE_NAME
        }
    }

    fn expired(&self, at: u64) -> bool {
        self.expires.load(Ordering::Relaxed) <= at
    }

    /// Records a packet going `dir` with TCP flags `flags`: moves the state machine, moves the
    /// connection between its server's active and inactive counts, and pushes the expiry out
    /// by the new state's timeout.
    pub(crate) fn update(&self, dir: Dir, flags: u8, t: &Timeouts) {
        let secs = if u16::from(self.protocol) == proto::TCP {
            let mut cur = self.state_raw();
            loop {
                let Some(s) = TcpState::from_u8(cur) else {
                    return; // DEAD: it left the table
                };
                let next = tcp_state::transition(s, dir, flags);
                if next == s {
                    break u64::from(tcp_state::timeout(s, t));
                }
                match self.state.compare_exchange(
                    cur,
                    next as u8,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        if s.is_active() != next.is_active() {
                            self.dest.set_active(next.is_active());
                        }
                        break u64::from(tcp_state::timeout(next, t));
                    }
                    Err(actual) => cur = actual,
                }
            }
        } else {
            u64::try_from(t.udp).unwrap_or(0)
        };
        let at = now().saturating_add(secs.saturating_mul(time::hz()));
        self.expires.store(at, Ordering::Relaxed);
    }

    /// Ends the connection now: lookups no longer find it and the collector frees it.
    pub(crate) fn expire_now(&self) {
        self.retire();
        self.expires.store(0, Ordering::Relaxed);
    }

    /// Marks the entry gone and takes it off its server's counts; called once, by whoever
    /// removes it from the table.
    fn retire(&self) {
        let last = self.state.swap(DEAD, Ordering::AcqRel);
        if last != DEAD {
            self.dest.unbind(Self::active_in(self.protocol, last));
        }
    }
}

/// What identifies a connection from a packet of it.
pub(crate) struct Key<'a> {
    /// The namespace.
    pub(crate) net: usize,
    /// Address family.
    pub(crate) af: u16,
    /// IP protocol.
    pub(crate) protocol: u8,
    /// Client address and port.
    pub(crate) caddr: &'a [u8; 16],
    /// Client port.
    pub(crate) cport: u16,
    /// The other end: the virtual service (requests) or the real server (replies).
    pub(crate) addr: &'a [u8; 16],
    /// Its port.
    pub(crate) port: u16,
}

impl ConnTable {
    fn bucket(&self, net: usize, protocol: u8, caddr: &[u8; 16], cport: u16) -> u32 {
        let net_id = (net as u64 >> 8) as u32;
        conn::bucket(
            self.seed,
            net_id,
            protocol,
            caddr,
            cport,
            self.table.buckets(),
        )
    }

    fn find<'g>(
        &'g self,
        guard: &'g Guard,
        k: &Key<'_>,
        other: impl Fn(&Conn) -> (&[u8; 16], u16),
    ) -> Option<&'g Conn> {
        let b = self.bucket(k.net, k.protocol, k.caddr, k.cport);
        self.table.iter(guard, b).find(|c| {
            let (addr, port) = other(c);
            c.net == k.net
                && c.protocol == k.protocol
                && c.af == k.af
                && c.cport == k.cport
                && c.caddr == *k.caddr
                && port == k.port
                && *addr == *k.addr
                && c.state_raw() != DEAD
        })
    }

    /// The connection of a request: client to virtual service.
    pub(crate) fn lookup_in<'g>(&'g self, guard: &'g Guard, k: &Key<'_>) -> Option<&'g Conn> {
        self.find(guard, k, |c| (&c.vaddr, c.vport))
    }

    /// The connection of a reply: real server to client.
    pub(crate) fn lookup_out<'g>(&'g self, guard: &'g Guard, k: &Key<'_>) -> Option<&'g Conn> {
        self.find(guard, k, |c| (&c.daddr, c.dport))
    }

    /// Creates the connection of request `k` (whose `addr`/`port` name the virtual service) to
    /// `dest`, counting it on the server and its service.
    pub(crate) fn create<'g>(
        &'g self,
        guard: &'g Guard,
        k: &Key<'_>,
        dest: &Arc<Dest>,
    ) -> Option<&'g Conn> {
        let tcp = u16::from(k.protocol) == proto::TCP;
        let c = Conn {
            net: k.net,
            af: k.af,
            protocol: k.protocol,
            caddr: *k.caddr,
            vaddr: *k.addr,
            daddr: dest.addr,
            cport: k.cport,
            vport: k.port,
            // A server without a port (fwmark-style) takes the virtual port.
            dport: if dest.port == 0 { k.port } else { dest.port },
            fwd: dest.fwd(),
            state: AtomicU8::new(if tcp { TcpState::None as u8 } else { UDP_STATE }),
            expires: AtomicU64::new(now().saturating_add(NEW_TIMEOUT.saturating_mul(time::hz()))),
            dest: dest.clone(),
        };
        let b = self.bucket(k.net, k.protocol, k.caddr, k.cport);
        let c = self.table.insert(guard, b, c)?;
        dest.bind(false);
        dest.stats.conn();
        dest.svc_stats.conn();
        dest.tot_stats.conn();
        Some(c)
    }

    /// Removes every entry for which `gone` says true; returns how many.
    pub(crate) fn remove_if(&self, mut gone: impl FnMut(&Conn) -> bool) -> u32 {
        let mut removed = 0u32;
        for b in 0..self.table.buckets() {
            removed = removed.saturating_add(self.table.retain(b, |c| {
                if gone(c) {
                    c.retire();
                    false
                } else {
                    true
                }
            }));
        }
        removed
    }

    /// Calls `f` on every entry of namespace `net`.
    pub(crate) fn for_each_in(&self, guard: &Guard, net: usize, mut f: impl FnMut(&Conn)) {
        for b in 0..self.table.buckets() {
            for c in self.table.iter(guard, b) {
                if c.net == net && c.state_raw() != DEAD {
                    f(c);
                }
            }
        }
    }

    /// Bytes the slab allocator spends on one entry.
    pub(crate) fn entry_size(&self) -> u32 {
        self.table.entry_size()
    }
}

/// Removes the entries that `gone` selects, if the table is up; returns how many.
pub(crate) fn remove_if(gone: impl FnMut(&Conn) -> bool) -> u32 {
    let guard = rcu::read_lock();
    table(&guard).map_or(0, |t| t.remove_if(gone))
}

/// Removes expired entries; the collector calls this every second.
#[no_mangle]
extern "C" fn rvs_rust_conn_gc() {
    let at = now();
    remove_if(|c| c.expired(at));
}
