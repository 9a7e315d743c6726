// SPDX-License-Identifier: GPL-2.0

//! Network namespaces and the per-namespace state rvs keeps in them.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use kernel::bindings;
use kernel::error::from_result;
use kernel::prelude::*;
use kernel::types::{ForeignOwnable, Opaque};

use super::glue;
use crate::netns::NetState;

/// A network namespace.
///
/// # Invariants
///
/// A `&Net` refers to a live `struct net` for the lifetime of the reference.
#[repr(transparent)]
pub(crate) struct Net(Opaque<bindings::net>);

impl Net {
    /// Borrows a `struct net`.
    ///
    /// # Safety
    ///
    /// `ptr` must point at a live `struct net` for the duration of `'a`.
    pub(crate) unsafe fn from_raw<'a>(ptr: *mut bindings::net) -> &'a Self {
        // CAST: `Net` is a `repr(transparent)` wrapper around `bindings::net`.
        // SAFETY: the caller guarantees the pointer is valid for `'a`.
        unsafe { &*ptr.cast::<Self>() }
    }

    /// An identity of the namespace, unique while it lives (its address).
    pub(crate) fn id(&self) -> usize {
        self.as_raw() as usize
    }

    /// The raw pointer, for other wrappers of this layer.
    pub(crate) fn as_raw(&self) -> *mut bindings::net {
        self.0.get()
    }

    /// The rvs state of this namespace; `None` only while the namespace is being set up or
    /// torn down.
    pub(crate) fn state(&self) -> Option<&NetState> {
        // SAFETY: the invariant gives a live `net`; the state slot was filled by
        // `rvs_rust_net_init` before any callback that can reach a `Net` could run, and is
        // emptied by `rvs_rust_net_exit` only after they all stopped (proc files removed, hooks
        // unregistered by the device pernet operations, sockets hold a reference to the net).
        let p = unsafe { glue::rvs_glue_net_state(self.as_raw()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` came from `into_foreign` in `rvs_rust_net_init` and is not freed until
        // `rvs_rust_net_exit` has cleared the slot and removed every way in (see above).
        Some(unsafe { <KBox<NetState> as ForeignOwnable>::borrow(p) })
    }
}

/// Sets up rvs in a new namespace; called by the pernet `init` of `rvs_glue.c`.
#[no_mangle]
extern "C" fn rvs_rust_net_init(net: *mut bindings::net) -> kernel::ffi::c_int {
    from_result(|| {
        // SAFETY: the pernet core passes a live namespace that outlives this call.
        let net = unsafe { Net::from_raw(net) };
        let state = NetState::new(net)?;
        let p = state.into_foreign();
        // SAFETY: `net` is live; its slot belongs to rvs and is empty until now.
        unsafe { glue::rvs_glue_set_net_state(net.as_raw(), p.cast_mut()) };
        Ok(0)
    })
}

/// Tears rvs down in a dying namespace; called by the pernet `exit` of `rvs_glue.c`.
#[no_mangle]
extern "C" fn rvs_rust_net_exit(net: *mut bindings::net) {
    // SAFETY: the pernet core passes a live namespace.
    let net = unsafe { Net::from_raw(net) };
    // SAFETY: `net` is live and its slot is ours.
    let p = unsafe { glue::rvs_glue_net_state(net.as_raw()) };
    // SAFETY: `rvs_glue_set_net_state` clears the slot of a namespace whose state is freed.
    unsafe { glue::rvs_glue_set_net_state(net.as_raw(), core::ptr::null_mut()) };
    if !p.is_null() {
        // SAFETY: `p` came from `into_foreign` in `rvs_rust_net_init`; this is the one place
        // it is converted back, after every user stopped (see `Net::state`).
        drop(unsafe { <KBox<NetState> as ForeignOwnable>::from_foreign(p) });
    }
}
