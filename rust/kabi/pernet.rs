// SPDX-License-Identifier: GPL-2.0

//! Registrations of pernet operations: per-namespace state, and the netfilter hooks.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use kernel::error::to_result;
use kernel::prelude::*;

use super::glue;

/// The pernet subsystem that creates rvs's state (tables, /proc/net, sysctls) in every
/// namespace, present and future; dropping it tears that state down everywhere.
///
/// # Invariants
///
/// The operations are registered while the value exists.
pub(crate) struct StateRegistration(());

impl StateRegistration {
    /// Registers, running `rvs_rust_net_init` for every existing namespace.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: registered once per module instance; undone in `Drop`.
        to_result(unsafe { glue::rvs_glue_register_pernet_state() })?;
        Ok(Self(()))
    }
}

impl Drop for StateRegistration {
    fn drop(&mut self) {
        // SAFETY: by the invariant the operations are registered.
        unsafe { glue::rvs_glue_unregister_pernet_state() }
    }
}

/// The pernet device operations that register rvs's netfilter hooks in every namespace.
///
/// # Invariants
///
/// The operations are registered while the value exists.
pub(crate) struct HooksRegistration(());

impl HooksRegistration {
    /// Registers the hooks in every existing namespace and in every new one.
    pub(crate) fn new() -> Result<Self> {
        // SAFETY: registered once per module instance; undone in `Drop`.
        to_result(unsafe { glue::rvs_glue_register_pernet_hooks() })?;
        Ok(Self(()))
    }
}

impl Drop for HooksRegistration {
    fn drop(&mut self) {
        // SAFETY: by the invariant the operations are registered. Unregistering waits for
        // packets in flight through the hooks (nf_unregister_net_hooks synchronises).
        unsafe { glue::rvs_glue_unregister_pernet_hooks() }
    }
}
