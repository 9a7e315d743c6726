// SPDX-License-Identifier: GPL-2.0

//! rvs: a layer-4 load balancer in the Linux kernel, in the manner of IPVS.
//!
//! Module init follows the seed's order, each step undone if a later one fails, and exit runs
//! in reverse (the fields of [`Rvs`] drop in declaration order):
//! 1. control interface: per-namespace state (/proc/net/rvs*, /proc/sys/net/ipv4/rvs), then
//!    the socket options;
//! 2. protocols: TCP, UDP and SCTP are fixed tables of the core (`rvs_core::ctl::proto`), so
//!    there is nothing to register at run time;
//! 3. connection table: a slab cache and a hash table with a random seed, sized by the
//!    `conn_tab_bits` load-time parameter;
//! 4. netfilter hooks, in every namespace.

use kernel::prelude::*;

mod conn_table;
mod control;
mod hooks;
mod kabi;
mod netns;
mod proc;
pub mod rvs_core;
mod service;
mod stats;
mod xmit;

module! {
    type: Rvs,
    name: "rvs",
    author: "rvs developers",
    description: "rvs: an IPVS-class layer-4 load balancer",
    license: "GPL",
}

/// The loaded module: its registrations and tables, dropped in field order on exit.
struct Rvs {
    _hooks: kabi::pernet::HooksRegistration,
    _conns: conn_table::Published,
    _sockopt: kabi::sockopt::Registration,
    _state: kabi::pernet::StateRegistration,
}

impl kernel::Module for Rvs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let buckets = conn_table::configured_buckets()?;
        let state = kabi::pernet::StateRegistration::new()?;
        let sockopt = kabi::sockopt::Registration::new()?;
        let conns = conn_table::Published::new(buckets)?;
        let hooks = kabi::pernet::HooksRegistration::new()?;
        pr_info!(
            "rvs {} loaded: connection table of {} buckets, {}-byte entries\n",
            rvs_core::abi::Version(rvs_core::abi::VERSION_CODE),
            buckets,
            conns.entry_size()
        );
        Ok(Rvs {
            _hooks: hooks,
            _conns: conns,
            _sockopt: sockopt,
            _state: state,
        })
    }
}
