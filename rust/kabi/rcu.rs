// SPDX-License-Identifier: GPL-2.0

//! RCU grace periods.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use super::glue;

/// Waits until every packet-path reader that may have seen an unpublished object is done.
pub(crate) fn synchronize_net() {
    // SAFETY: `synchronize_net` may be called from any sleepable context; module callers are
    // init, exit and pernet callbacks, all of which sleep.
    unsafe { glue::rvs_glue_synchronize_net() }
}

/// Waits for every `call_rcu` callback queued so far to finish.
pub(crate) fn barrier() {
    // SAFETY: `rcu_barrier` may be called from any sleepable context, as above.
    unsafe { glue::rvs_glue_rcu_barrier() }
}
