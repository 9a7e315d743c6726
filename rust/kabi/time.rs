// SPDX-License-Identifier: GPL-2.0

//! Jiffies.
//!
//! C header: [`include/linux/jiffies.h`](srctree/include/linux/jiffies.h)

use super::glue;

/// The current time in jiffies (64-bit, never wraps in practice).
pub(crate) fn jiffies() -> u64 {
    // SAFETY: reading jiffies is allowed in any context.
    unsafe { glue::rvs_glue_jiffies() }
}

/// Jiffies per second.
pub(crate) fn hz() -> u64 {
    // SAFETY: returns a constant.
    u64::from(unsafe { glue::rvs_glue_hz() })
}
