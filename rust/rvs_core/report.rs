// SPDX-License-Identifier: GPL-2.0

//! Text of the /proc/net files, in ip_vs's formats.
//!
//! `/proc/net/rvs` is `/proc/net/ip_vs`, `/proc/net/rvs_stats` is `/proc/net/ip_vs_stats` and
//! `/proc/net/rvs_conn` is `/proc/net/ip_vs_conn`; only the first line of `/proc/net/rvs` names
//! rvs instead of "IP Virtual Server".

use core::fmt::{self, Write};

use crate::rvs_core::abi::{self, Version};

/// Writes the header of `/proc/net/rvs`.
pub fn services_header(w: &mut impl Write, conn_tab_size: u32) -> fmt::Result {
    writeln!(
        w,
        "rvs version {} (size={conn_tab_size})",
        Version(abi::VERSION_CODE)
    )?;
    writeln!(w, "Prot LocalAddress:Port Scheduler Flags")?;
    writeln!(
        w,
        "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn"
    )
}

/// Writes `/proc/net/rvs_stats` for the namespace's totals.
pub fn stats(w: &mut impl Write, s: &abi::StatsUser) -> fmt::Result {
    writeln!(
        w,
        "   Total Incoming Outgoing         Incoming         Outgoing"
    )?;
    writeln!(
        w,
        "   Conns  Packets  Packets            Bytes            Bytes"
    )?;
    writeln!(
        w,
        "{:8X} {:8X} {:8X} {:16X} {:16X}\n",
        s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes
    )?;
    writeln!(
        w,
        " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s"
    )?;
    writeln!(
        w,
        "{:8X} {:8X} {:8X} {:16X} {:16X}",
        s.cps, s.inpps, s.outpps, s.inbps, s.outbps
    )
}

/// Writes the header of `/proc/net/rvs_conn`.
pub fn conn_header(w: &mut impl Write) -> fmt::Result {
    writeln!(
        w,
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData"
    )
}
