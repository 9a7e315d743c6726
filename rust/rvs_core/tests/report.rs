// SPDX-License-Identifier: GPL-2.0

//! /proc text matches ip_vs's layout.

use std::string::String;

use crate::abi;
use crate::report;

#[test]
fn services_header_is_ip_vs_layout() {
    let mut s = String::new();
    report::services_header(&mut s, 4096).unwrap();
    assert_eq!(
        s,
        "rvs version 0.1.0 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n"
    );
}

#[test]
fn stats_layout() {
    let mut s = String::new();
    let st = abi::StatsUser {
        conns: 0x1f,
        inpkts: 0x2a0,
        outpkts: 0x250,
        inbytes: 0x1f400,
        outbytes: 0x3e800,
        ..Default::default()
    };
    report::stats(&mut s, &st).unwrap();
    let lines: std::vec::Vec<&str> = s.lines().collect();
    assert_eq!(
        lines[0],
        "   Total Incoming Outgoing         Incoming         Outgoing"
    );
    assert_eq!(
        lines[2],
        "      1F      2A0      250            1F400            3E800"
    );
    assert_eq!(lines[3], "");
    assert_eq!(
        lines[4],
        " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s"
    );
    assert_eq!(
        lines[5],
        "       0        0        0                0                0"
    );
}

#[test]
fn conn_header() {
    let mut s = String::new();
    report::conn_header(&mut s).unwrap();
    assert_eq!(
        s,
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n"
    );
}

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut x = [0u8; 16];
    x[..4].copy_from_slice(&a);
    x
}

#[test]
fn service_and_dest_lines_are_ip_vs_layout() {
    // The sample of ip_vs's /proc/net/ip_vs: "TCP  CFAF2C6E:0050 rr  " and its server.
    let mut svc = abi::ServiceUser {
        af: abi::af::INET,
        protocol: 6,
        port: 80u16.to_be(),
        addr: v4([207, 175, 44, 110]),
        ..Default::default()
    };
    let mut s = String::new();
    report::service_line(&mut s, &svc, "rr", 100).unwrap();
    assert_eq!(s, "TCP  CFAF2C6E:0050 rr  \n");
    let d = abi::DestEntry {
        dest: abi::DestUser {
            af: abi::af::INET,
            port: 80u16.to_be(),
            addr: v4([192, 168, 10, 1]),
            weight: 1,
            ..Default::default()
        },
        activeconns: 3,
        inactconns: 12,
        ..Default::default()
    };
    let mut s = String::new();
    report::dest_line(&mut s, &d).unwrap();
    assert_eq!(
        s,
        "  -> C0A80A01:0050      Masq    1      3          12        \n"
    );
    // Persistence prints its timeout in jiffies and the netmask.
    svc.flags = 1;
    svc.timeout = 900;
    svc.netmask = u32::from_ne_bytes([255, 255, 255, 0]);
    let mut s = String::new();
    report::service_line(&mut s, &svc, "sh", 100).unwrap();
    assert_eq!(s, "TCP  CFAF2C6E:0050 sh  persistent 90000 FFFFFF00\n");
    // IPv6: %pI6, no ops field.
    let mut a6 = [0u8; 16];
    a6[..2].copy_from_slice(&[0x20, 0x01]);
    a6[15] = 1;
    let svc6 = abi::ServiceUser {
        af: abi::af::INET6,
        protocol: 17,
        port: 53u16.to_be(),
        addr: a6,
        ..Default::default()
    };
    let mut s = String::new();
    report::service_line(&mut s, &svc6, "wrr", 100).unwrap();
    assert_eq!(
        s,
        "UDP  [2001:0000:0000:0000:0000:0000:0000:0001]:0035 wrr \n"
    );
}

#[test]
fn conn_line_is_ip_vs_layout() {
    let (c, v, d) = (
        v4([10, 0, 0, 2]),
        v4([207, 175, 44, 110]),
        v4([192, 168, 10, 1]),
    );
    let row = report::ConnRow {
        af: abi::af::INET,
        daf: abi::af::INET,
        protocol: 6,
        caddr: &c,
        vaddr: &v,
        daddr: &d,
        cport: 0xb26eu16.to_be(),
        vport: 80u16.to_be(),
        dport: 80u16.to_be(),
        state: "ESTABLISHED",
        expires: 898,
    };
    let mut s = String::new();
    report::conn_line(&mut s, &row).unwrap();
    assert_eq!(
        s,
        "TCP 0A000002 B26E CFAF2C6E 0050 C0A80A01 0050 ESTABLISHED     898\n"
    );
}
