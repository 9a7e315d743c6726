// SPDX-License-Identifier: GPL-2.0

//! The periodic work that runs the connection collector (`rvs_rust_conn_gc`) every second.
//!
//! C header: [`include/linux/workqueue.h`](srctree/include/linux/workqueue.h)

use super::glue;

/// The started collector; stops (waiting for a running pass) on drop.
///
/// # Invariants
///
/// The delayed work is queued or running while the value exists.
pub(crate) struct Collector(());

impl Collector {
    /// Starts the collector; its first pass runs a second from now. `rvs_rust_conn_gc` finds
    /// what it works on through RCU-published slots, so it needs nothing from the caller.
    pub(crate) fn start() -> Self {
        // SAFETY: the work item is static and only the connection table (one per module)
        // starts it; queueing an already queued work is a no-op.
        unsafe { glue::rvs_glue_gc_start() };
        Self(())
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        // SAFETY: by the invariant the work was started; this cancels it, re-queueing included,
        // and waits for a running pass.
        unsafe { glue::rvs_glue_gc_stop() }
    }
}
