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

/// The integers behind the table's entries.
pub(crate) struct SysctlValues {
    /// `debug_level`: 1 logs every control command.
    pub(crate) debug_level: AtomicI32,
    /// `conn_tab_size`: buckets of the connection table (read-only).
    pub(crate) conn_tab_size: AtomicI32,
}

/// The registered table of one namespace, owning the integers it shows.
///
/// # Invariants
///
/// `header` is registered while the value exists, with entries pointing into `values`, whose
/// box is dropped only after `Drop` unregistered the table.
pub(crate) struct SysctlTable {
    header: NonNull<bindings::ctl_table_header>,
    values: KBox<SysctlValues>,
}

impl SysctlTable {
    /// Registers `debug_level` (read-write, 0..1) and `conn_tab_size` (read-only) in `net`.
    pub(crate) fn new(net: &Net, values: KBox<SysctlValues>) -> Result<Self> {
        // SAFETY: `net` is live; `AtomicI32` has the layout of `int`, which the proc handlers
        // load and store whole; the integers live in a box that `Self` keeps until after it
        // unregistered the table.
        let header = unsafe {
            glue::rvs_glue_sysctl_register(
                net.as_raw(),
                values.debug_level.as_ptr(),
                values.conn_tab_size.as_ptr(),
            )
        };
        // INVARIANT: non-NULL means registered.
        NonNull::new(header)
            .map(|header| Self { header, values })
            .ok_or(ENOMEM)
    }

    /// The values the table shows.
    pub(crate) fn values(&self) -> &SysctlValues {
        &self.values
    }
}

impl Drop for SysctlTable {
    fn drop(&mut self) {
        // SAFETY: by the invariant the table is registered; this unregisters it once and waits
        // for readers and writers of its entries, before `values` is dropped after this.
        unsafe { glue::rvs_glue_sysctl_unregister(self.header.as_ptr()) }
    }
}

// SAFETY: unregistration may happen from any thread; the values are atomics.
unsafe impl Send for SysctlTable {}
// SAFETY: shared access only reads the atomics.
unsafe impl Sync for SysctlTable {}
