// SPDX-License-Identifier: GPL-2.0

//! The pure core of rvs: no kernel dependency and no `unsafe`.
//!
//! The same source is compiled into `rvs.ko` (as `crate::rvs_core`) and into the host crate
//! `rvs-core` (see `host.rs`), where `cargo test` exercises it and `rvsadm` uses its ABI view.

#![forbid(unsafe_code)]

pub mod abi;
pub mod conn;
pub mod csum;
pub mod ctl;
pub mod errno;
pub mod packet;
pub mod report;
pub mod sched;
pub mod tcp_state;
