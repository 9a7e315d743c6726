// SPDX-License-Identifier: GPL-2.0

//! RCU grace periods.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use super::glue;

/// Waits for every `call_rcu` callback queued so far to finish.
pub(crate) fn barrier() {
    // SAFETY: `rcu_barrier` may be called from any sleepable context, as above.
    unsafe { glue::rvs_glue_rcu_barrier() }
}
