// SPDX-License-Identifier: GPL-2.0

//! The thin unsafe layer between rvs and the kernel's C API.
//!
//! Only this module touches `kernel::bindings` and the generated glue bindings. Each file wraps
//! one kind of C object the way `rust/kernel/` does: a registration that undoes itself in
//! `Drop`, or a `#[repr(transparent)]` wrapper over `Opaque<T>`. The `rvs_rust_*` entry points
//! that C calls live here too, and hand safe references to the rest of the module.

pub(crate) mod gc;
pub(crate) mod global;
pub(crate) mod hash;
pub(crate) mod net;
pub(crate) mod netfilter;
pub(crate) mod param;
pub(crate) mod pernet;
pub(crate) mod proc;
pub(crate) mod random;
pub(crate) mod rcu;
pub(crate) mod rcu_table;
pub(crate) mod route;
pub(crate) mod skb;
pub(crate) mod slab;
pub(crate) mod sockopt;
pub(crate) mod sync;
pub(crate) mod sysctl;
pub(crate) mod time;

/// Bindings that bindgen generates from `rvs_glue.h` at build time (see `Kbuild`).
#[allow(
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn,
    clippy::all,
    clippy::undocumented_unsafe_blocks
)]
mod glue {
    include!("rvs_glue_generated.rs");
}

use crate::rvs_core::abi::{self, Struct};

/// Checks at build time that the core's view of each ABI structure has the size bindgen gives
/// the C structure in `include/uapi/linux/rvs.h`.
macro_rules! same_size {
    ($($rust:ty = $c:ty),* $(,)?) => {
        $(const _: () = assert!(<$rust as Struct>::SIZE == core::mem::size_of::<$c>());)*
    };
}
same_size!(
    abi::ServiceUser = glue::rvs_service_user,
    abi::DestUser = glue::rvs_dest_user,
    abi::ServiceDestUser = glue::rvs_service_dest_user,
    abi::StatsUser = glue::rvs_stats_user,
    abi::GetInfo = glue::rvs_getinfo,
    abi::ServiceEntry = glue::rvs_service_entry,
    abi::DestEntry = glue::rvs_dest_entry,
    abi::GetServices = glue::rvs_get_services,
    abi::GetDests = glue::rvs_get_dests,
    abi::TimeoutUser = glue::rvs_timeout_user,
    abi::DaemonUser = glue::rvs_daemon_user,
);
const _: () = assert!(abi::BASE_CTL == glue::RVS_BASE_CTL as i32);
const _: () = assert!(abi::set::MAX == glue::RVS_SO_SET_MAX as i32);
const _: () = assert!(abi::get::MAX == glue::RVS_SO_GET_MAX as i32);
const _: () = assert!(abi::VERSION_CODE == glue::RVS_VERSION_CODE);
