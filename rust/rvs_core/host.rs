// SPDX-License-Identifier: GPL-2.0

//! Host build of the rvs core, for `cargo test` and for rvsadm.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

#[path = "mod.rs"]
pub mod rvs_core;

pub use rvs_core::*;

#[cfg(test)]
#[path = "tests/mod.rs"]
mod tests;
