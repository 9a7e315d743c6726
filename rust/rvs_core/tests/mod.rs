// SPDX-License-Identifier: GPL-2.0

//! Host tests of the core.

mod abi_header;
mod csum;
mod ctl;
mod packet;
mod report;
mod rng;
mod sched;
mod tcp_state;
