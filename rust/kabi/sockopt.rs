// SPDX-License-Identifier: GPL-2.0

//! The socket options of rvs's control ABI.
//!
//! C header: [`include/linux/netfilter.h`](srctree/include/linux/netfilter.h)

use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;

use super::glue;
use super::net::Net;
use crate::control;

/// The registration of rvs's socket option range on PF_INET and PF_INET6.
///
/// # Invariants
///
/// The options are registered while the value exists.
pub(crate) struct Registration(());

impl Registration {
    /// Registers; from now on `rvs_rust_set` and `rvs_rust_get` may be called.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: registered once per module instance; undone in `Drop`.
        to_result(unsafe { glue::rvs_glue_register_sockopt() })?;
        Ok(Self(()))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: by the invariant the options are registered.
        unsafe { glue::rvs_glue_unregister_sockopt() }
    }
}

/// `setsockopt()` entry point; `arg` holds `len` bytes copied from the caller.
#[no_mangle]
extern "C" fn rvs_rust_set(
    net: *mut bindings::net,
    admin: bool,
    cmd: kernel::ffi::c_int,
    arg: *const u8,
    len: kernel::ffi::c_uint,
) -> kernel::ffi::c_int {
    // SAFETY: the socket the call came through holds a reference to its namespace.
    let net = unsafe { Net::from_raw(net) };
    let arg = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the glue passes a kernel buffer of `len` initialised bytes that lives for
        // the duration of this call.
        unsafe { core::slice::from_raw_parts(arg, len as usize) }
    };
    let Some(state) = net.state() else {
        return -(kernel::bindings::ENOPROTOOPT as i32);
    };
    match control::set(state, admin, cmd, arg) {
        Ok(()) => 0,
        Err(e) => -e.code(),
    }
}

/// `getsockopt()` entry point; `buf` holds the caller's `len` bytes and receives the reply,
/// whose length goes to `out_len`.
#[no_mangle]
extern "C" fn rvs_rust_get(
    net: *mut bindings::net,
    admin: bool,
    cmd: kernel::ffi::c_int,
    buf: *mut u8,
    len: kernel::ffi::c_uint,
    out_len: *mut kernel::ffi::c_uint,
) -> kernel::ffi::c_int {
    // SAFETY: the socket the call came through holds a reference to its namespace.
    let net = unsafe { Net::from_raw(net) };
    // SAFETY: the glue passes a zeroed-then-filled kernel buffer of at least `max(len, 1)`
    // bytes, exclusively ours for the duration of this call.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf, len as usize) };
    let Some(state) = net.state() else {
        return -(kernel::bindings::ENOPROTOOPT as i32);
    };
    match control::get(state, admin, cmd, buf) {
        Ok(n) => {
            // SAFETY: `out_len` points at the glue's local variable; `n <= len` fits a c_uint.
            unsafe { *out_len = n as kernel::ffi::c_uint };
            0
        }
        Err(e) => -e.code(),
    }
}
