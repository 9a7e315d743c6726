// SPDX-License-Identifier: GPL-2.0

//! The control commands: what each socket option does to a namespace's state.
//!
//! Every request is checked by the core (`rvs_core::ctl`) before it touches anything, so a
//! rejected request changes nothing. Both directions require CAP_NET_ADMIN in the socket's
//! namespace, as ip_vs's do.

use kernel::prelude::*;

use crate::netns::NetState;
use crate::rvs_core::abi::{self, Struct};
use crate::rvs_core::ctl::{self, GetRequest, SetRequest};
use crate::rvs_core::errno::Errno;

/// Carries out a `setsockopt()` command.
pub(crate) fn set(st: &NetState, admin: bool, cmd: i32, arg: &[u8]) -> Result<(), Errno> {
    if !admin {
        return Err(Errno::Perm);
    }
    let req = ctl::decode_set(cmd, arg)?;
    let res = match req {
        // There are no services yet, so flushing or zeroing everything is done at once...
        SetRequest::Flush => Ok(()),
        SetRequest::Zero(ref s) if ctl::is_null_service(s) => Ok(()),
        SetRequest::Timeout(ref t) => {
            st.set_timeouts(t);
            Ok(())
        }
        // ...and every command that names a service finds none, as with ip_vs.
        SetRequest::Edit(_)
        | SetRequest::Del(_)
        | SetRequest::Zero(_)
        | SetRequest::AddDest(_)
        | SetRequest::DelDest(_)
        | SetRequest::EditDest(_) => Err(Errno::Srch),
        // No sync daemon runs.
        SetRequest::StopDaemon(_) => Err(Errno::Srch),
        // Services and sync are not built yet: say so instead of pretending.
        SetRequest::Add(_) | SetRequest::StartDaemon(_) => Err(Errno::OpNotSupp),
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

/// Carries out a `getsockopt()` command; `buf` holds the request and receives the reply.
/// Returns the reply's length.
pub(crate) fn get(st: &NetState, admin: bool, cmd: i32, buf: &mut [u8]) -> Result<usize, Errno> {
    if !admin {
        return Err(Errno::Perm);
    }
    let put = |v: &dyn Fn(&mut [u8]) -> Option<()>, buf: &mut [u8], len: usize| {
        v(buf).map(|()| len).ok_or(Errno::Inval)
    };
    match ctl::decode_get(cmd, buf)? {
        GetRequest::Info => {
            let info = abi::GetInfo {
                version: abi::VERSION_CODE,
                conn_tab_size: st.conn_tab_size(),
                num_services: st.num_services(),
                __pad0: 0,
            };
            put(&|b| info.encode(b), buf, abi::GetInfo::SIZE)
        }
        GetRequest::Services(_) => {
            let h = abi::GetServices {
                num_services: st.num_services(),
                __pad0: 0,
            };
            put(&|b| h.encode(b), buf, abi::GetServices::SIZE)
        }
        GetRequest::Service(_) | GetRequest::Dests(_) => Err(Errno::Srch),
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
