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

/// ip_vs's name of an IP protocol in /proc listings.
pub fn proto_name(protocol: u16) -> &'static str {
    match protocol {
        6 => "TCP",
        17 => "UDP",
        132 => "SCTP",
        _ => "IP",
    }
}

/// The name of a forwarding method, as /proc/net/ip_vs shows it.
pub fn fwd_name(conn_flags: u32) -> &'static str {
    match conn_flags & 0x7 {
        1 => "Local",
        2 => "Tunnel",
        3 => "Route",
        _ => "Masq",
    }
}

/// An IPv6 address in the kernel's `%pI6` form: eight 4-digit groups, nothing compressed.
pub struct Ipv6Full<'a>(pub &'a [u8; 16]);

impl fmt::Display for Ipv6Full<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.0.chunks_exact(2).enumerate() {
            if i > 0 {
                f.write_char(':')?;
            }
            write!(f, "{:02x}{:02x}", g[0], g[1])?;
        }
        Ok(())
    }
}

/// An address as /proc shows it: IPv4 as 8 hex digits, IPv6 in `%pI6` form.
struct ProcAddr<'a>(u16, &'a [u8; 16]);

impl fmt::Display for ProcAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == abi::af::INET6 {
            Ipv6Full(self.1).fmt(f)
        } else {
            let a = self.1;
            write!(f, "{:08X}", u32::from_be_bytes([a[0], a[1], a[2], a[3]]))
        }
    }
}

/// Writes a service's line of `/proc/net/rvs` (`sched` is its scheduler's name; `hz` turns the
/// persistence timeout into jiffies, as ip_vs prints it).
pub fn service_line(w: &mut impl Write, s: &abi::ServiceUser, sched: &str, hz: u32) -> fmt::Result {
    let port = u16::from_be(s.port);
    let proto = proto_name(s.protocol);
    if s.af == abi::af::INET6 {
        write!(w, "{proto}  [{}]:{port:04X} {sched} ", Ipv6Full(&s.addr))?;
    } else {
        let ops = if s.flags & 0x4 != 0 { "ops " } else { "" };
        write!(
            w,
            "{proto}  {}:{port:04X} {sched} {ops} ",
            ProcAddr(s.af, &s.addr)
        )?;
    }
    if s.flags & 0x1 != 0 {
        writeln!(
            w,
            "persistent {} {:08X}",
            u64::from(s.timeout).saturating_mul(u64::from(hz)),
            u32::from_be(s.netmask)
        )
    } else {
        writeln!(w)
    }
}

/// Writes a real server's line of `/proc/net/rvs`.
pub fn dest_line(w: &mut impl Write, d: &abi::DestEntry) -> fmt::Result {
    let port = u16::from_be(d.dest.port);
    if d.dest.af == abi::af::INET6 {
        write!(w, "  -> [{}]:{port:04X}", Ipv6Full(&d.dest.addr))?;
    } else {
        write!(w, "  -> {}:{port:04X}", ProcAddr(d.dest.af, &d.dest.addr))?;
    }
    writeln!(
        w,
        "      {:<7} {:<6} {:<10} {:<10}",
        fwd_name(d.dest.conn_flags),
        d.dest.weight,
        d.activeconns,
        d.inactconns
    )
}

/// One connection as `/proc/net/rvs_conn` shows it.
pub struct ConnRow<'a> {
    /// The client's address family.
    pub af: u16,
    /// The real server's address family.
    pub daf: u16,
    /// IP protocol.
    pub protocol: u16,
    /// Client, virtual and real server addresses.
    pub caddr: &'a [u8; 16],
    /// Virtual address.
    pub vaddr: &'a [u8; 16],
    /// Real server address.
    pub daddr: &'a [u8; 16],
    /// Ports as on the wire.
    pub cport: u16,
    /// Virtual port.
    pub vport: u16,
    /// Real server port.
    pub dport: u16,
    /// State name.
    pub state: &'a str,
    /// Seconds until it expires.
    pub expires: u64,
}

/// Writes a connection's line of `/proc/net/rvs_conn`.
pub fn conn_line(w: &mut impl Write, c: &ConnRow<'_>) -> fmt::Result {
    writeln!(
        w,
        "{:<3} {} {:04X} {} {:04X} {} {:04X} {:<11} {:>7}",
        proto_name(c.protocol),
        ProcAddr(c.af, c.caddr),
        u16::from_be(c.cport),
        ProcAddr(c.af, c.vaddr),
        u16::from_be(c.vport),
        ProcAddr(c.daf, c.daddr),
        u16::from_be(c.dport),
        c.state,
        c.expires
    )
}
