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
