// SPDX-License-Identifier: GPL-2.0

//! Output routes to real servers.
//!
//! C header: [`include/net/route.h`](srctree/include/net/route.h)

use core::ptr::NonNull;

use kernel::bindings;

use super::glue;
use super::net::Net;

/// A route (a `dst_entry` reference) with what rvs needs to know about it.
///
/// # Invariants
///
/// `dst` holds one reference, released by `Drop` unless handed to a packet.
pub(crate) struct Route {
    dst: NonNull<bindings::dst_entry>,
    /// The source address the route prefers (IPv4 in the first 4 bytes).
    pub(crate) saddr: [u8; 16],
    /// The path MTU.
    pub(crate) mtu: u32,
    /// Whether the destination is this host.
    pub(crate) local: bool,
}

impl Route {
    /// Looks up the route to `daddr` (IPv4 when `!v6`). `known_nh`: the next hop is `daddr`
    /// itself, whatever the packet's own destination (direct routing).
    pub(crate) fn lookup(net: &Net, v6: bool, daddr: &[u8; 16], known_nh: bool) -> Option<Self> {
        let mut saddr = [0u8; 16];
        let mut mtu = 0u32;
        let mut local = false;
        let dst = if v6 {
            // SAFETY: `net` is live; the address and out-parameters are valid for the call.
            unsafe {
                glue::rvs_glue_route6(
                    net.as_raw(),
                    daddr.as_ptr(),
                    known_nh,
                    saddr.as_mut_ptr(),
                    &mut mtu,
                    &mut local,
                )
            }
        } else {
            let d = u32::from_ne_bytes([daddr[0], daddr[1], daddr[2], daddr[3]]);
            let mut s = 0u32;
            // SAFETY: `net` is live; the out-parameters are valid for the call.
            let dst = unsafe {
                glue::rvs_glue_route4(net.as_raw(), d, known_nh, &mut s, &mut mtu, &mut local)
            };
            saddr[..4].copy_from_slice(&s.to_ne_bytes());
            dst
        };
        // INVARIANT: a non-NULL result carries a reference for us.
        NonNull::new(dst).map(|dst| Self {
            dst,
            saddr,
            mtu,
            local,
        })
    }

    /// Gives up ownership of the reference, for a packet to take it.
    pub(crate) fn into_raw(self) -> *mut bindings::dst_entry {
        let dst = self.dst.as_ptr();
        core::mem::forget(self);
        dst
    }
}

impl Drop for Route {
    fn drop(&mut self) {
        // SAFETY: by the invariant we own one reference.
        unsafe { glue::rvs_glue_dst_release(self.dst.as_ptr()) }
    }
}
