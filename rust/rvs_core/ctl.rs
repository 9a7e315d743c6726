// SPDX-License-Identifier: GPL-2.0

//! Decoding and validation of control requests.
//!
//! A socket option handler hands the option number and the caller's bytes to
//! [`decode_set`] or [`decode_get`]; what comes back is either a request whose every field has
//! been checked, or the error number to return. Nothing here touches state, so a rejected
//! request changes nothing.

use crate::rvs_core::abi::{self, af, get, set, Struct};
use crate::rvs_core::errno::Errno;

/// IP protocol numbers a service may use.
pub mod proto {
    /// TCP.
    pub const TCP: u16 = 6;
    /// UDP.
    pub const UDP: u16 = 17;
    /// SCTP.
    pub const SCTP: u16 = 132;
}

/// Default timeouts in seconds, as ip_vs's: established TCP, closing TCP, UDP.
pub const DEFAULT_TIMEOUTS: Timeouts = Timeouts {
    tcp: 900,
    tcp_fin: 120,
    udp: 300,
};

/// Largest timeout accepted, in seconds (31 days, ipvsadm's limit).
pub const MAX_TIMEOUT: i32 = 31 * 24 * 60 * 60;

/// Connection timeouts of a namespace, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Established TCP.
    pub tcp: i32,
    /// Closing TCP (FIN_WAIT).
    pub tcp_fin: i32,
    /// UDP.
    pub udp: i32,
}

impl Timeouts {
    /// Applies a `--set` request: a zero keeps the current value.
    pub fn apply(&mut self, t: &abi::TimeoutUser) {
        if t.tcp_timeout != 0 {
            self.tcp = t.tcp_timeout;
        }
        if t.tcp_fin_timeout != 0 {
            self.tcp_fin = t.tcp_fin_timeout;
        }
        if t.udp_timeout != 0 {
            self.udp = t.udp_timeout;
        }
    }

    /// The ABI view.
    pub fn to_user(self) -> abi::TimeoutUser {
        abi::TimeoutUser {
            tcp_timeout: self.tcp,
            tcp_fin_timeout: self.tcp_fin,
            udp_timeout: self.udp,
        }
    }
}

/// A checked `setsockopt()` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetRequest {
    /// Add a service.
    Add(abi::ServiceUser),
    /// Edit a service.
    Edit(abi::ServiceUser),
    /// Delete a service.
    Del(abi::ServiceUser),
    /// Delete every service.
    Flush,
    /// Add a real server.
    AddDest(abi::ServiceDestUser),
    /// Delete a real server.
    DelDest(abi::ServiceDestUser),
    /// Edit a real server.
    EditDest(abi::ServiceDestUser),
    /// Set timeouts.
    Timeout(abi::TimeoutUser),
    /// Start a sync daemon.
    StartDaemon(abi::DaemonUser),
    /// Stop a sync daemon.
    StopDaemon(abi::DaemonUser),
    /// Zero the counters of one service, or of all when the service is all zero.
    Zero(abi::ServiceUser),
}

/// A checked `getsockopt()` request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetRequest {
    /// Module information.
    Info,
    /// Up to this many services.
    Services(u32),
    /// One service.
    Service(abi::ServiceUser),
    /// Up to `num_dests` real servers of a service.
    Dests(abi::GetDests),
    /// Timeouts.
    Timeout,
    /// Sync daemons.
    Daemon,
}

fn exact<T: Struct>(arg: &[u8]) -> Result<T, Errno> {
    if arg.len() != T::SIZE {
        return Err(Errno::Inval);
    }
    T::decode(arg).ok_or(Errno::Inval)
}

/// Whether a NUL-terminated name field holds a terminator.
fn terminated(name: &[u8]) -> bool {
    name.contains(&0)
}

/// The length of an address of family `af`, or the error for an unknown family.
pub fn addr_len(family: u16) -> Result<usize, Errno> {
    match family {
        af::INET => Ok(4),
        af::INET6 => Ok(16),
        _ => Err(Errno::AfNoSupport),
    }
}

/// Checks the fields of a service that every command uses.
pub fn check_service(s: &abi::ServiceUser) -> Result<(), Errno> {
    if !terminated(&s.sched_name) || !terminated(&s.pe_name) {
        return Err(Errno::Inval);
    }
    let len = addr_len(s.af)?;
    if s.addr[len..].iter().any(|&b| b != 0) {
        return Err(Errno::Inval);
    }
    // ip_vs answers EFAULT to an unknown protocol, even for fwmark services; so does rvs.
    match s.protocol {
        proto::TCP | proto::UDP | proto::SCTP => Ok(()),
        _ => Err(Errno::Fault),
    }
}

/// Whether `s` names no service at all (the "zero everything" form of `Zero`).
pub fn is_null_service(s: &abi::ServiceUser) -> bool {
    s.fwmark == 0 && s.port == 0 && s.addr.iter().all(|&b| b == 0)
}

/// Decodes and checks a `setsockopt()` request.
pub fn decode_set(cmd: i32, arg: &[u8]) -> Result<SetRequest, Errno> {
    let svc = |arg: &[u8]| -> Result<abi::ServiceUser, Errno> {
        let s = exact::<abi::ServiceUser>(arg)?;
        check_service(&s)?;
        Ok(s)
    };
    let svc_dest = |arg: &[u8]| -> Result<abi::ServiceDestUser, Errno> {
        let sd = exact::<abi::ServiceDestUser>(arg)?;
        check_service(&sd.svc)?;
        if sd.dest.af != 0 {
            addr_len(sd.dest.af)?;
        }
        Ok(sd)
    };
    match cmd {
        set::ADD => svc(arg).map(SetRequest::Add),
        set::EDIT => svc(arg).map(SetRequest::Edit),
        set::DEL => svc(arg).map(SetRequest::Del),
        set::FLUSH if arg.is_empty() => Ok(SetRequest::Flush),
        set::FLUSH => Err(Errno::Inval),
        set::ADDDEST => svc_dest(arg).map(SetRequest::AddDest),
        set::DELDEST => svc_dest(arg).map(SetRequest::DelDest),
        set::EDITDEST => svc_dest(arg).map(SetRequest::EditDest),
        set::TIMEOUT => {
            let t = exact::<abi::TimeoutUser>(arg)?;
            let ok = |v: i32| (0..=MAX_TIMEOUT).contains(&v);
            if ok(t.tcp_timeout) && ok(t.tcp_fin_timeout) && ok(t.udp_timeout) {
                Ok(SetRequest::Timeout(t))
            } else {
                Err(Errno::Inval)
            }
        }
        set::STARTDAEMON | set::STOPDAEMON => {
            let d = exact::<abi::DaemonUser>(arg)?;
            if !terminated(&d.mcast_ifn) || !(1..=2).contains(&d.state) {
                return Err(Errno::Inval);
            }
            Ok(if cmd == set::STARTDAEMON {
                SetRequest::StartDaemon(d)
            } else {
                SetRequest::StopDaemon(d)
            })
        }
        set::ZERO => {
            let s = exact::<abi::ServiceUser>(arg)?;
            if !is_null_service(&s) {
                check_service(&s)?;
            }
            Ok(SetRequest::Zero(s))
        }
        _ => Err(Errno::Inval),
    }
}

/// Decodes and checks a `getsockopt()` request; `arg` holds the caller's whole buffer.
pub fn decode_get(cmd: i32, arg: &[u8]) -> Result<GetRequest, Errno> {
    let at_least = |size: usize| {
        if arg.len() < size {
            Err(Errno::Inval)
        } else {
            Ok(())
        }
    };
    match cmd {
        get::INFO => at_least(abi::GetInfo::SIZE).map(|()| GetRequest::Info),
        get::SERVICES => {
            let h = abi::GetServices::decode(arg).ok_or(Errno::Inval)?;
            let want = (h.num_services as usize)
                .checked_mul(abi::ServiceEntry::SIZE)
                .and_then(|n| n.checked_add(abi::GetServices::SIZE));
            if want != Some(arg.len()) {
                return Err(Errno::Inval);
            }
            Ok(GetRequest::Services(h.num_services))
        }
        get::SERVICE => {
            at_least(abi::ServiceEntry::SIZE)?;
            let e = abi::ServiceEntry::decode(arg).ok_or(Errno::Inval)?;
            check_service(&e.svc)?;
            Ok(GetRequest::Service(e.svc))
        }
        get::DESTS => {
            let h = abi::GetDests::decode(arg).ok_or(Errno::Inval)?;
            check_service(&h.svc)?;
            let want = (h.num_dests as usize)
                .checked_mul(abi::DestEntry::SIZE)
                .and_then(|n| n.checked_add(abi::GetDests::SIZE));
            if want != Some(arg.len()) {
                return Err(Errno::Inval);
            }
            Ok(GetRequest::Dests(h))
        }
        get::TIMEOUT => at_least(abi::TimeoutUser::SIZE).map(|()| GetRequest::Timeout),
        get::DAEMON => at_least(2 * abi::DaemonUser::SIZE).map(|()| GetRequest::Daemon),
        _ => Err(Errno::Inval),
    }
}

/// The largest buffer any `getsockopt()` request may pass: a generous bound on listings.
pub const MAX_GET_LEN: usize = 1 << 20;
/// The largest argument any `setsockopt()` request may pass.
pub const MAX_SET_LEN: usize = abi::ServiceDestUser::SIZE;

/// Largest real-server weight (ipvsadm's documented range is 0..=65535).
pub const MAX_WEIGHT: i32 = 65535;

/// Checks what ip_vs checks of a real server before it looks it up: weight, thresholds and
/// tunnel settings; then that its address can be one (not unspecified, multicast, broadcast or,
/// for IPv6, link-local).
pub fn check_dest(d: &abi::DestUser, family: u16) -> Result<(), Errno> {
    if !(0..=MAX_WEIGHT).contains(&d.weight) {
        return Err(Errno::Range);
    }
    if d.l_threshold > d.u_threshold {
        return Err(Errno::Range);
    }
    if d.u_threshold > i32::MAX as u32 {
        return Err(Errno::Inval);
    }
    // GUE (1) needs a port; only plain IP-in-IP (0) is built.
    if d.tun_type == 1 && d.tun_port == 0 {
        return Err(Errno::Inval);
    }
    if d.conn_flags & 0x7 == 2 && d.tun_type != 0 {
        return Err(Errno::OpNotSupp);
    }
    if d.conn_flags & 0x7 > 3 {
        return Err(Errno::Inval);
    }
    let a = &d.addr;
    let bad = match family {
        af::INET => a[..4] == [0; 4] || a[0] >= 224 || a[4..].iter().any(|&b| b != 0),
        _ => a.iter().all(|&b| b == 0) || a[0] == 0xff || (a[0] == 0xfe && a[1] & 0xc0 == 0x80),
    };
    if bad {
        return Err(Errno::Inval);
    }
    Ok(())
}
