// SPDX-License-Identifier: GPL-2.0

//! Host tests of the core.

mod abi_header;
mod ctl;
mod report;
