// SPDX-License-Identifier: GPL-2.0

//! The control commands: what each socket option does to a namespace's state.
//!
//! Every request is checked by the core (`rvs_core::ctl`) before it touches anything, and each
//! command checks everything it needs before it changes anything, so a rejected request
//! changes nothing. Errors are ip_vs's for the same mistakes. Both directions require
//! CAP_NET_ADMIN in the socket's namespace, as ip_vs's do. Commands of a namespace are
//! serialised by its mutex; the data path sees each change at once through RCU.

use kernel::prelude::*;
use kernel::sync::Arc;

use crate::kabi::rcu::Writer;
use crate::netns::NetState;
use crate::rvs_core::abi::{self, Struct};
use crate::rvs_core::ctl::{self, GetRequest, SetRequest};
use crate::rvs_core::errno::Errno;
use crate::rvs_core::sched::Kind;
use crate::service::{self, Dest, Service, SvcKey};

/// Carries out a `setsockopt()` command.
pub(crate) fn set(st: &NetState, admin: bool, cmd: i32, arg: &[u8]) -> Result<(), Errno> {
    if !admin {
        return Err(Errno::Perm);
    }
    let req = ctl::decode_set(cmd, arg)?;
    let res = {
        let mut w = st.ctl.lock();
        apply(st, &mut w, &req)
    };
    if st.debug() {
        pr_info!(
            "rvs: set {} ({} bytes): {}\n",
            cmd,
            arg.len(),
            res.map_or_else(|e| -e.code(), |()| 0)
        );
    }
    res
}

fn nomem<T>(_: T) -> Errno {
    Errno::NoMem
}

/// The current services.
fn services<'a>(st: &'a NetState, w: &'a Writer) -> &'a [Arc<Service>] {
    st.services.get_locked(w).map_or(&[][..], |l| l)
}

/// The service a request names, by its key; fwmark services do not exist in rvs.
fn lookup<'a>(st: &'a NetState, w: &'a Writer, s: &abi::ServiceUser) -> Option<Arc<Service>> {
    if s.fwmark != 0 {
        return None;
    }
    service::find(services(st, w), &SvcKey::of(s)).cloned()
}

fn sched_kind(s: &abi::ServiceUser) -> Result<Kind, Errno> {
    Kind::from_name(&s.sched_name).ok_or(Errno::NoEnt)
}

fn copy_list<T: Clone>(list: &[T], extra: usize) -> Result<KVec<T>, Errno> {
    let mut v = KVec::with_capacity(list.len() + extra, GFP_KERNEL).map_err(nomem)?;
    for x in list {
        v.push(x.clone(), GFP_KERNEL).map_err(nomem)?;
    }
    Ok(v)
}

fn apply(st: &NetState, w: &mut Writer, req: &SetRequest) -> Result<(), Errno> {
    match req {
        SetRequest::Flush => {
            let old = st.publish_services(w, KBox::new(KVec::new(), GFP_KERNEL).map_err(nomem)?);
            for s in old.iter().flat_map(|l| l.iter()) {
                retire_all(s, w);
            }
            Ok(())
        }
        SetRequest::Timeout(t) => {
            st.set_timeouts(t);
            Ok(())
        }
        SetRequest::Zero(s) if ctl::is_null_service(s) => {
            for svc in services(st, w) {
                zero(svc, w);
            }
            st.tot_stats.zero();
            Ok(())
        }
        SetRequest::Add(s) => {
            if s.fwmark != 0 || s.flags & abi_flags::UNSUPPORTED != 0 {
                return Err(Errno::OpNotSupp);
            }
            if lookup(st, w, s).is_some() {
                return Err(Errno::Exist);
            }
            let kind = sched_kind(s)?;
            check_netmask(s)?;
            let svc = Service::new(s, kind).map_err(nomem)?;
            let mut list = copy_list(services(st, w), 1)?;
            list.push(svc, GFP_KERNEL).map_err(nomem)?;
            st.publish_services(w, KBox::new(list, GFP_KERNEL).map_err(nomem)?);
            Ok(())
        }
        SetRequest::Edit(s) => {
            let svc = lookup(st, w, s).ok_or(Errno::Srch)?;
            let kind = sched_kind(s)?;
            if s.flags & abi_flags::UNSUPPORTED != 0 {
                return Err(Errno::OpNotSupp);
            }
            check_netmask(s)?;
            svc.update(s, kind);
            Ok(())
        }
        SetRequest::Del(s) => {
            let key = lookup(st, w, s).ok_or(Errno::Srch)?.key;
            let cur = services(st, w);
            let mut list = KVec::with_capacity(cur.len(), GFP_KERNEL).map_err(nomem)?;
            for x in cur.iter().filter(|x| x.key != key) {
                list.push(x.clone(), GFP_KERNEL).map_err(nomem)?;
            }
            let old = st.publish_services(w, KBox::new(list, GFP_KERNEL).map_err(nomem)?);
            if let Some(s) = old.iter().flat_map(|l| l.iter()).find(|x| x.key == key) {
                retire_all(s, w);
            }
            Ok(())
        }
        SetRequest::Zero(s) => {
            let svc = lookup(st, w, s).ok_or(Errno::Srch)?;
            zero(&svc, w);
            Ok(())
        }
        SetRequest::AddDest(sd) | SetRequest::EditDest(sd) | SetRequest::DelDest(sd) => {
            let svc = lookup(st, w, &sd.svc).ok_or(Errno::Srch)?;
            dest_command(st, w, &svc, req, &sd.dest)
        }
        // Connection sync is not built: no daemon can be started, so none runs.
        SetRequest::StartDaemon(_) => Err(Errno::OpNotSupp),
        SetRequest::StopDaemon(_) => Err(Errno::Srch),
    }
}

/// Service flags rvs does not implement yet: persistence and one-packet scheduling.
mod abi_flags {
    /// `RVS_SVC_F_PERSISTENT | RVS_SVC_F_ONEPACKET`.
    pub(super) const UNSUPPORTED: u32 = 0x1 | 0x4;
}

/// An IPv6 persistence netmask is a prefix length of 1..=128 (0: the default, 128).
fn check_netmask(s: &abi::ServiceUser) -> Result<(), Errno> {
    if s.af == abi::af::INET6 && s.netmask > 128 {
        return Err(Errno::Inval);
    }
    Ok(())
}

/// Takes every real server of a removed service out of service: their connections drop
/// packets until they expire, as ip_vs's do (`expire_nodest_conn` off).
fn retire_all(s: &Service, w: &Writer) {
    for d in s.dest_list(w) {
        d.retire();
    }
}

fn zero(s: &Service, w: &Writer) {
    s.stats.zero();
    for d in s.dest_list(w) {
        d.stats.zero();
    }
}

fn dest_command(
    st: &NetState,
    w: &mut Writer,
    svc: &Service,
    req: &SetRequest,
    d: &abi::DestUser,
) -> Result<(), Errno> {
    let family = if d.af == 0 { svc.key.af } else { d.af };
    // Real servers of another family need a mixed-family tunnel, which rvs does not build.
    if family != svc.key.af {
        return Err(Errno::Inval);
    }
    // A server without a port serves the virtual port.
    let port = if d.port == 0 { svc.key.port } else { d.port };
    let cur = svc.dest_list(w);
    let found = cur
        .iter()
        .position(|x| x.af == family && x.addr == d.addr && x.port == port);
    let mut d = *d;
    d.port = port;
    let new_list = match req {
        SetRequest::AddDest(_) => {
            ctl::check_dest(&d, family)?;
            if found.is_some() {
                return Err(Errno::Exist);
            }
            let dest =
                Dest::new(&d, family, svc.stats.clone(), st.tot_stats.clone()).map_err(nomem)?;
            let mut list = copy_list(cur, 1)?;
            list.push(dest, GFP_KERNEL).map_err(nomem)?;
            Some((list, None))
        }
        SetRequest::EditDest(_) => {
            ctl::check_dest(&d, family)?;
            let i = found.ok_or(Errno::NoEnt)?;
            cur[i].update(&d);
            None
        }
        _ => {
            let i = found.ok_or(Errno::NoEnt)?;
            let mut list = KVec::with_capacity(cur.len(), GFP_KERNEL).map_err(nomem)?;
            for (j, x) in cur.iter().enumerate() {
                if j != i {
                    list.push(x.clone(), GFP_KERNEL).map_err(nomem)?;
                }
            }
            Some((list, Some(cur[i].clone())))
        }
    };
    if let Some((list, gone)) = new_list {
        svc.dests
            .replace(w, KBox::new(list, GFP_KERNEL).map_err(nomem)?);
        if let Some(g) = gone {
            g.retire();
        }
    }
    svc.dests_changed();
    Ok(())
}

/// Carries out a `getsockopt()` command; `buf` holds the request and receives the reply.
/// Returns the reply's length.
pub(crate) fn get(st: &NetState, admin: bool, cmd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    if !admin {
        return Err(Errno::Perm);
    }
    let req = ctl::decode_get(cmd, buf)?;
    let w = st.ctl.lock();
    let w: &Writer = &w;
    let put = |v: &dyn Fn(&mut [u8]) -> Option<()>, buf: &mut [u8], len: usize| {
        v(buf).map(|()| len).ok_or(Errno::Inval)
    };
    match req {
        GetRequest::Info => {
            let info = abi::GetInfo {
                version: abi::VERSION_CODE,
                conn_tab_size: st.conn_tab_size(),
                num_services: st.num_services(),
                __pad0: 0,
            };
            put(&|b| info.encode(b), buf, abi::GetInfo::SIZE)
        }
        GetRequest::Services(n) => {
            let list = services(st, w);
            let count = list.len().min(n as usize);
            for (i, s) in list.iter().take(count).enumerate() {
                let off = abi::GetServices::SIZE + i * abi::ServiceEntry::SIZE;
                let b = buf.get_mut(off..).ok_or(Errno::Inval)?;
                s.entry(w).encode(b).ok_or(Errno::Inval)?;
            }
            let h = abi::GetServices {
                num_services: count as u32,
                __pad0: 0,
            };
            let len = abi::GetServices::SIZE + count * abi::ServiceEntry::SIZE;
            put(&|b| h.encode(b), buf, len)
        }
        GetRequest::Service(s) => {
            let e = lookup(st, w, &s).ok_or(Errno::Srch)?.entry(w);
            put(&|b| e.encode(b), buf, abi::ServiceEntry::SIZE)
        }
        GetRequest::Dests(h) => {
            let svc = lookup(st, w, &h.svc).ok_or(Errno::Srch)?;
            let dests = svc.dest_list(w);
            let count = dests.len().min(h.num_dests as usize);
            for (i, d) in dests.iter().take(count).enumerate() {
                let off = abi::GetDests::SIZE + i * abi::DestEntry::SIZE;
                let b = buf.get_mut(off..).ok_or(Errno::Inval)?;
                d.entry().encode(b).ok_or(Errno::Inval)?;
            }
            let out = abi::GetDests {
                svc: svc.user(),
                num_dests: count as u32,
                __pad0: 0,
            };
            let len = abi::GetDests::SIZE + count * abi::DestEntry::SIZE;
            put(&|b| out.encode(b), buf, len)
        }
        GetRequest::Timeout => {
            let t = st.timeouts().to_user();
            put(&|b| t.encode(b), buf, abi::TimeoutUser::SIZE)
        }
        GetRequest::Daemon => {
            // Neither a master nor a backup daemon runs: two entries in state NONE.
            let none = abi::DaemonUser::default();
            let len = 2 * abi::DaemonUser::SIZE;
            put(
                &|b| {
                    none.encode(b)?;
                    none.encode(b.get_mut(abi::DaemonUser::SIZE..)?)
                },
                buf,
                len,
            )
        }
    }
}
