//! ipvsadm's output formats: listings and `-S` rules.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use rvs_core::abi::{self, af, version_parts};
use rvs_core::ctl::proto;

/// Which listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Plain,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    TunInfo,
}

fn addr_text(family: u16, a: &[u8; 16]) -> String {
    if family == af::INET6 {
        Ipv6Addr::from(*a).to_string()
    } else {
        Ipv4Addr::new(a[0], a[1], a[2], a[3]).to_string()
    }
}

/// `addr:port`, IPv6 in brackets.
pub fn addr_port(family: u16, a: &[u8; 16], port_be: u16) -> String {
    let port = u16::from_be(port_be);
    if family == af::INET6 {
        format!("[{}]:{}", addr_text(family, a), port)
    } else {
        format!("{}:{}", addr_text(family, a), port)
    }
}

fn proto_name(p: u16) -> &'static str {
    match p {
        proto::TCP => "TCP",
        proto::UDP => "UDP",
        proto::SCTP => "SCTP",
        _ => "???",
    }
}

fn cstr(b: &[u8]) -> &str {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    std::str::from_utf8(&b[..end]).unwrap_or("?")
}

fn fwd_name(flags: u32) -> &'static str {
    match flags & 0x7 {
        1 => "Local",
        2 => "Tunnel",
        3 => "Route",
        _ => "Masq",
    }
}

/// The service column: `TCP  1.2.3.4:80` or `FWM  1`.
fn service_name(s: &abi::ServiceUser) -> String {
    if s.fwmark != 0 {
        let mut n = format!("FWM  {}", s.fwmark);
        if s.af == af::INET6 {
            n.push_str(" IPv6");
        }
        n
    } else {
        format!(
            "{:<4} {}",
            proto_name(s.protocol),
            addr_port(s.af, &s.addr, s.port)
        )
    }
}

fn sched_flags(s: &abi::ServiceUser) -> String {
    let sched = cstr(&s.sched_name);
    let mut v = Vec::new();
    let names: [(&str, u32, &str); 3] = match sched {
        "sh" => [
            ("sh-fallback", 0x08, ""),
            ("sh-port", 0x10, ""),
            ("flag-3", 0x20, ""),
        ],
        "mh" => [
            ("mh-fallback", 0x08, ""),
            ("mh-port", 0x10, ""),
            ("flag-3", 0x20, ""),
        ],
        _ => [
            ("flag-1", 0x08, ""),
            ("flag-2", 0x10, ""),
            ("flag-3", 0x20, ""),
        ],
    };
    for (n, bit, _) in names {
        if s.flags & bit != 0 {
            v.push(n);
        }
    }
    v.join(",")
}

/// A persistent service's netmask as ipvsadm shows it, or `None` for the default (/32, /128).
fn netmask_text(s: &abi::ServiceUser) -> Option<String> {
    if s.af == af::INET6 {
        (s.netmask != 128).then(|| s.netmask.to_string())
    } else {
        let m = s.netmask.to_ne_bytes();
        (s.netmask != u32::MAX).then(|| Ipv4Addr::new(m[0], m[1], m[2], m[3]).to_string())
    }
}

/// The version line that opens every listing.
pub fn version_line(info: &abi::GetInfo) -> String {
    let (a, b, c) = version_parts(info.version);
    format!("rvs version {a}.{b}.{c} (size={})", info.conn_tab_size)
}

/// ipvsadm's `print_largenum`: 9 wide, scaled to K/M/G/T unless `exact`.
fn largenum(n: u64, exact: bool) -> String {
    if exact {
        let len = n.to_string().len();
        return format!("{n:>w$}", w = if len <= 8 { 9 } else { len + 1 });
    }
    match n {
        0..=99_999_999 => format!("{n:9}"),
        100_000_000..=999_999_999 => format!("{:8}K", n / 1_000),
        1_000_000_000..=99_999_999_999 => format!("{:8}M", n / 1_000_000),
        100_000_000_000..=99_999_999_999_999 => format!("{:8}G", n / 1_000_000_000),
        _ => format!("{:8}T", n / 1_000_000_000_000),
    }
}

/// The listing's title lines.
pub fn title(out: &mut String, f: Format) {
    let _ = match f {
        Format::Plain => writeln!(
            out,
            "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
        ),
        Format::Stats => writeln!(
            out,
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n  -> RemoteAddress:Port",
            "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"
        ),
        Format::Rate => writeln!(
            out,
            "{:<33} {:>8} {:>8} {:>8} {:>8} {:>8}\n  -> RemoteAddress:Port",
            "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"
        ),
        Format::Thresholds => writeln!(
            out,
            "{:<33} {:<10} {:<10} {:<10} {:<10}\n  -> RemoteAddress:Port",
            "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn", "InActConn"
        ),
        Format::PersistentConn => writeln!(
            out,
            "{:<33} {:<9} {:<11} {:<10} {:<10}\n  -> RemoteAddress:Port",
            "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn"
        ),
        Format::TunInfo => writeln!(
            out,
            "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn"
        ),
    };
}

fn tun_info(d: &abi::DestUser) -> String {
    if d.conn_flags & 0x7 != 2 {
        return "n/a".into();
    }
    let c = match d.tun_flags {
        1 => "+c",
        2 => "r+c",
        _ => "-c",
    };
    match d.tun_type {
        1 => format!("gue:{}:{}", u16::from_be(d.tun_port), c),
        2 => format!("gre:{c}"),
        _ => "ipip".into(),
    }
}

/// One service and its real servers in format `f`.
pub fn service(
    out: &mut String,
    e: &abi::ServiceEntry,
    dests: &[abi::DestEntry],
    f: Format,
    exact: bool,
) {
    let s = &e.svc;
    let name = service_name(s);
    let _ = match f {
        Format::Stats => {
            let st = &e.stats;
            writeln!(
                out,
                "{:<33} {}{}{}{}{}",
                name,
                largenum(st.conns, exact),
                largenum(st.inpkts, exact),
                largenum(st.outpkts, exact),
                largenum(st.inbytes, exact),
                largenum(st.outbytes, exact)
            )
        }
        Format::Rate => {
            let st = &e.stats;
            writeln!(
                out,
                "{:<33} {:8} {:8} {:8}{}{}",
                name,
                st.cps,
                st.inpps,
                st.outpps,
                largenum(st.inbps, exact),
                largenum(st.outbps, exact)
            )
        }
        _ => {
            let mut line = format!("{} {}", name, cstr(&s.sched_name));
            let fl = sched_flags(s);
            if !fl.is_empty() {
                let _ = write!(line, " ({fl})");
            }
            if s.flags & 0x1 != 0 {
                let _ = write!(line, " persistent {}", s.timeout);
                if let Some(m) = netmask_text(s) {
                    let _ = write!(line, " mask {m}");
                }
                if s.pe_name[0] != 0 {
                    let _ = write!(line, " pe {}", cstr(&s.pe_name));
                }
            }
            if s.flags & 0x4 != 0 {
                line.push_str(" ops");
            }
            writeln!(out, "{line}")
        }
    };
    for d in dests {
        let a = addr_port(
            if d.dest.af == 0 { s.af } else { d.dest.af },
            &d.dest.addr,
            d.dest.port,
        );
        let _ = match f {
            Format::Plain => writeln!(
                out,
                "  -> {:<28} {:<7} {:<6} {:<10} {:<10}",
                a,
                fwd_name(d.dest.conn_flags),
                d.dest.weight,
                d.activeconns,
                d.inactconns
            ),
            Format::Stats => writeln!(
                out,
                "  -> {:<28} {}{}{}{}{}",
                a,
                largenum(d.stats.conns, exact),
                largenum(d.stats.inpkts, exact),
                largenum(d.stats.outpkts, exact),
                largenum(d.stats.inbytes, exact),
                largenum(d.stats.outbytes, exact)
            ),
            Format::Rate => writeln!(
                out,
                "  -> {:<28} {:8} {:8} {:8}{}{}",
                a,
                d.stats.cps,
                d.stats.inpps,
                d.stats.outpps,
                largenum(d.stats.inbps, exact),
                largenum(d.stats.outbps, exact)
            ),
            Format::Thresholds => writeln!(
                out,
                "  -> {:<28} {:<10} {:<10} {:<10} {:<10}",
                a, d.dest.u_threshold, d.dest.l_threshold, d.activeconns, d.inactconns
            ),
            Format::PersistentConn => writeln!(
                out,
                "  -> {:<28} {:<9} {:<11} {:<10} {:<10}",
                a, d.dest.weight, d.persistconns, d.activeconns, d.inactconns
            ),
            Format::TunInfo => writeln!(
                out,
                "  -> {:<28} {:<7} {:<13} {:<6} {:<10} {:<10}",
                a,
                fwd_name(d.dest.conn_flags),
                tun_info(&d.dest),
                d.dest.weight,
                d.activeconns,
                d.inactconns
            ),
        };
    }
}

fn svc_rule(s: &abi::ServiceUser) -> String {
    if s.fwmark != 0 {
        format!(
            "-f {}{}",
            s.fwmark,
            if s.af == af::INET6 { " -6" } else { "" }
        )
    } else {
        let flag = match s.protocol {
            proto::UDP => "-u",
            proto::SCTP => "--sctp-service",
            _ => "-t",
        };
        format!("{flag} {}", addr_port(s.af, &s.addr, s.port))
    }
}

/// The `-S` rules of one service.
pub fn save(out: &mut String, e: &abi::ServiceEntry, dests: &[abi::DestEntry]) {
    let s = &e.svc;
    let mut line = format!("-A {} -s {}", svc_rule(s), cstr(&s.sched_name));
    if s.flags & 0x1 != 0 {
        let _ = write!(line, " -p {}", s.timeout);
        if let Some(m) = netmask_text(s) {
            let _ = write!(line, " -M {m}");
        }
        if s.pe_name[0] != 0 {
            let _ = write!(line, " --pe {}", cstr(&s.pe_name));
        }
    }
    if s.flags & 0x4 != 0 {
        line.push_str(" -o");
    }
    let fl = sched_flags(s);
    if !fl.is_empty() {
        let _ = write!(line, " -b {fl}");
    }
    let _ = writeln!(out, "{line}");
    for d in dests {
        let fwd = match d.dest.conn_flags & 0x7 {
            0 => "-m",
            2 => "-i",
            _ => "-g",
        };
        let a = addr_port(
            if d.dest.af == 0 { s.af } else { d.dest.af },
            &d.dest.addr,
            d.dest.port,
        );
        let mut line = format!("-a {} -r {} {} -w {}", svc_rule(s), a, fwd, d.dest.weight);
        if d.dest.conn_flags & 0x7 == 2 {
            match d.dest.tun_type {
                1 => {
                    let c = ["--tun-nocsum", "--tun-csum", "--tun-remcsum"]
                        [d.dest.tun_flags.min(2) as usize];
                    let _ = write!(
                        line,
                        " --tun-type gue --tun-port {} {c}",
                        u16::from_be(d.dest.tun_port)
                    );
                }
                2 => {
                    let c = if d.dest.tun_flags == 1 {
                        "--tun-csum"
                    } else {
                        "--tun-nocsum"
                    };
                    let _ = write!(line, " --tun-type gre {c}");
                }
                _ => line.push_str(" --tun-type ipip"),
            }
        }
        let _ = writeln!(out, "{line}");
    }
}

/// ipvsadm's `-c` listing, from the rows of /proc/net/rvs_conn.
pub fn connections(out: &mut String, proc_text: &str) {
    let _ = writeln!(out, "IPVS connection entries");
    let _ = writeln!(
        out,
        "pro expire {:<11} {:<18} {:<18} destination",
        "state", "source", "virtual"
    );
    for line in proc_text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 9 {
            continue;
        }
        let hexaddr = |a: &str, p: &str| -> String {
            let port = u16::from_str_radix(p, 16).unwrap_or(0);
            match (u32::from_str_radix(a, 16), a.parse::<std::net::Ipv6Addr>()) {
                (Ok(v), _) => format!("{}:{}", Ipv4Addr::from(v), port),
                // /proc spells IPv6 in full (%pI6); ipvsadm prints it compressed.
                (_, Ok(v6)) => format!("[{v6}]:{port}"),
                _ => format!("[{a}]:{port}"),
            }
        };
        let secs: u64 = f[8].parse().unwrap_or(0);
        let _ = writeln!(
            out,
            "{:<3} {:02}:{:02}  {:<11} {:<18} {:<18} {}",
            f[0],
            secs / 60,
            secs % 60,
            f[7],
            hexaddr(f[1], f[2]),
            hexaddr(f[3], f[4]),
            hexaddr(f[5], f[6])
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc() -> abi::ServiceEntry {
        let mut s = abi::ServiceUser {
            af: af::INET,
            protocol: proto::TCP,
            port: 80u16.to_be(),
            ..Default::default()
        };
        s.addr[..4].copy_from_slice(&[207, 175, 44, 110]);
        s.sched_name[..2].copy_from_slice(b"rr");
        abi::ServiceEntry {
            svc: s,
            num_dests: 1,
            ..Default::default()
        }
    }

    fn dest() -> abi::DestEntry {
        let mut d = abi::DestUser {
            af: af::INET,
            port: 80u16.to_be(),
            weight: 1,
            ..Default::default()
        };
        d.addr[..4].copy_from_slice(&[192, 168, 10, 2]);
        abi::DestEntry {
            dest: d,
            activeconns: 3,
            inactconns: 12,
            ..Default::default()
        }
    }

    #[test]
    fn plain_listing_matches_ipvsadm() {
        let mut o = String::new();
        title(&mut o, Format::Plain);
        service(&mut o, &svc(), &[dest()], Format::Plain, false);
        assert_eq!(
            o,
            "Prot LocalAddress:Port Scheduler Flags\n\
             \x20 -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n\
             TCP  207.175.44.110:80 rr\n\
             \x20 -> 192.168.10.2:80              Masq    1      3          12        \n"
        );
    }

    #[test]
    fn persistent_v6_and_save() {
        let mut e = svc();
        e.svc.af = af::INET6;
        e.svc.addr = "2001:db8::80".parse::<Ipv6Addr>().unwrap().octets();
        e.svc.flags = 1;
        e.svc.timeout = 360;
        e.svc.netmask = 64;
        let mut o = String::new();
        service(&mut o, &e, &[], Format::Plain, false);
        assert_eq!(o, "TCP  [2001:db8::80]:80 rr persistent 360 mask 64\n");
        let mut o = String::new();
        save(&mut o, &e, &[]);
        assert_eq!(o, "-A -t [2001:db8::80]:80 -s rr -p 360 -M 64\n");
        let mut o = String::new();
        save(&mut o, &svc(), &[dest()]);
        assert_eq!(
            o,
            "-A -t 207.175.44.110:80 -s rr\n-a -t 207.175.44.110:80 -r 192.168.10.2:80 -m -w 1\n"
        );
    }

    #[test]
    fn connections_print_ipv6_compressed() {
        let proc_text = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
TCP fd00:0001:0000:0000:0000:0000:0000:0002 AEC2 fd00:0010:0000:0000:0000:0000:0000:0100 0050 fd00:0002:0000:0000:0000:0000:0000:0012 1F90 ESTABLISHED     899
TCP 0A000102 C9F8 0A000A64 0050 0A00020C 1F90 TIME_WAIT       111
";
        let mut out = String::new();
        connections(&mut out, proc_text);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[2],
            "TCP 14:59  ESTABLISHED [fd00:1::2]:44738  [fd00:10::100]:80  [fd00:2::12]:8080"
        );
        assert_eq!(
            lines[3],
            "TCP 01:51  TIME_WAIT   10.0.1.2:51704     10.0.10.100:80     10.0.2.12:8080"
        );
    }

    #[test]
    fn largenum_scales() {
        assert_eq!(largenum(5, false), "        5");
        assert_eq!(largenum(1_800_000_000, false), "    1800M");
        assert_eq!(largenum(123_456_789_012, false), "     123G");
        assert_eq!(largenum(123_456_789_012, true), " 123456789012");
    }
}
