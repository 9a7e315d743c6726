// SPDX-License-Identifier: GPL-2.0

//! Module parameters (declared in C: the 6.12 `module!` macro has no `params`).

use super::glue;

/// `conn_tab_bits`: log2 of the connection table's bucket count, as given at load time.
pub(crate) fn conn_tab_bits() -> i32 {
    // SAFETY: reads an int that the module loader wrote before init and nothing writes after
    // (the parameter is 0444).
    unsafe { glue::rvs_glue_conn_tab_bits() }
}
