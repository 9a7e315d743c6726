// SPDX-License-Identifier: GPL-2.0

//! rvs's sysctls in /proc/sys/net/ipv4/rvs.
//!
//! C header: [`include/linux/sysctl.h`](srctree/include/linux/sysctl.h)

use core::ptr::NonNull;
use core::sync::atomic::AtomicI32;

use kernel::bindings;
use kernel::prelude::*;

use super::glue;
use super::net::Net;

/// The registered table of one namespace.
///
/// # Invariants
///
/// `header` is registered while the value exists; the integers its entries point at outlive
/// it (the caller's contract in `new`).
pub(crate) struct SysctlTable {
    header: NonNull<bindings::ctl_table_header>,
}

impl SysctlTable {
    /// Registers `debug_level` (read-write, 0..1) and `conn_tab_size` (read-only).
    ///
    /// # Safety
    ///
    /// The two integers must not move and must outlive the returned value.
    pub(crate) unsafe fn new(net: &Net, debug_level: &AtomicI32, conn_tab_size: &AtomicI32) -> Result<Self> {
        // SAFETY: `net` is live; `AtomicI32` has the layout of `int` and the proc handlers
        // access it with plain loads and stores of aligned ints; the caller guarantees the
        // pointers stay valid until `Drop`.
        let header = unsafe {
            glue::rvs_glue_sysctl_register(net.as_raw(), debug_level.as_ptr(), conn_tab_size.as_ptr())
        };
        // INVARIANT: non-NULL means registered.
        NonNull::new(header).map(|header| Self { header }).ok_or(ENOMEM)
    }
}

impl Drop for SysctlTable {
    fn drop(&mut self) {
        // SAFETY: by the invariant the table is registered; this unregisters it once and waits
        // for readers and writers of its entries.
        unsafe { glue::rvs_glue_sysctl_unregister(self.header.as_ptr()) }
    }
}

// SAFETY: unregistration may happen from any thread.
unsafe impl Send for SysctlTable {}
// SAFETY: a shared `SysctlTable` offers no operation.
unsafe impl Sync for SysctlTable {}
