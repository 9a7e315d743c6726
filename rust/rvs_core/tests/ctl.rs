// SPDX-License-Identifier: GPL-2.0

//! Control request decoding: lengths, values and families.

use std::vec;

use crate::abi::{self, af, get, set, Struct};
use crate::ctl::{
    decode_get, decode_set, proto, GetRequest, SetRequest, Timeouts, DEFAULT_TIMEOUTS,
};
use crate::errno::Errno;

fn tcp4() -> abi::ServiceUser {
    let mut s = abi::ServiceUser {
        af: af::INET,
        protocol: proto::TCP,
        port: 80u16.to_be(),
        ..Default::default()
    };
    s.addr[..4].copy_from_slice(&[10, 0, 0, 1]);
    s.sched_name[..2].copy_from_slice(b"rr");
    s
}

fn bytes<T: Struct>(v: &T) -> std::vec::Vec<u8> {
    let mut b = vec![0u8; T::SIZE];
    v.encode(&mut b).unwrap();
    b
}

#[test]
fn set_lengths_must_be_exact() {
    let b = bytes(&tcp4());
    assert_eq!(decode_set(set::ADD, &b), Ok(SetRequest::Add(tcp4())));
    assert_eq!(decode_set(set::ADD, &b[..b.len() - 1]), Err(Errno::Inval));
    let mut long = b.clone();
    long.push(0);
    assert_eq!(decode_set(set::ADD, &long), Err(Errno::Inval));
    assert_eq!(decode_set(set::FLUSH, &[]), Ok(SetRequest::Flush));
    assert_eq!(decode_set(set::FLUSH, &[0]), Err(Errno::Inval));
    assert_eq!(decode_set(set::ADDDEST, &b), Err(Errno::Inval));
    assert_eq!(decode_set(set::MAX + 1, &b), Err(Errno::Inval));
}

#[test]
fn service_values_are_checked() {
    let mut s = tcp4();
    s.af = 7;
    assert_eq!(decode_set(set::ADD, &bytes(&s)), Err(Errno::AfNoSupport));
    let mut s = tcp4();
    s.protocol = 1;
    assert_eq!(decode_set(set::EDIT, &bytes(&s)), Err(Errno::Fault));
    let mut s = tcp4();
    s.sched_name = [b'x'; 16];
    assert_eq!(decode_set(set::DEL, &bytes(&s)), Err(Errno::Inval));
    let mut s = tcp4();
    s.addr[9] = 1; // bytes past an IPv4 address
    assert_eq!(decode_set(set::ADD, &bytes(&s)), Err(Errno::Inval));
    let mut s = tcp4();
    s.af = af::INET6;
    s.addr[9] = 1;
    assert!(decode_set(set::ADD, &bytes(&s)).is_ok());
    // ZERO with an all-zero service means "all services" and skips the checks.
    let z = abi::ServiceUser::default();
    assert_eq!(decode_set(set::ZERO, &bytes(&z)), Ok(SetRequest::Zero(z)));
}

#[test]
fn dest_family_is_checked() {
    let mut sd = abi::ServiceDestUser {
        svc: tcp4(),
        ..Default::default()
    };
    assert!(decode_set(set::ADDDEST, &bytes(&sd)).is_ok());
    sd.dest.af = 3;
    assert_eq!(
        decode_set(set::ADDDEST, &bytes(&sd)),
        Err(Errno::AfNoSupport)
    );
}

#[test]
fn timeouts() {
    let t = abi::TimeoutUser {
        tcp_timeout: 10,
        tcp_fin_timeout: 0,
        udp_timeout: 20,
    };
    assert_eq!(
        decode_set(set::TIMEOUT, &bytes(&t)),
        Ok(SetRequest::Timeout(t))
    );
    let mut cur: Timeouts = DEFAULT_TIMEOUTS;
    cur.apply(&t);
    assert_eq!(
        cur,
        Timeouts {
            tcp: 10,
            tcp_fin: 120,
            udp: 20
        }
    );
    let bad = abi::TimeoutUser {
        tcp_timeout: -1,
        ..t
    };
    assert_eq!(decode_set(set::TIMEOUT, &bytes(&bad)), Err(Errno::Inval));
    let big = abi::TimeoutUser {
        udp_timeout: 31 * 24 * 3600 + 1,
        ..t
    };
    assert_eq!(decode_set(set::TIMEOUT, &bytes(&big)), Err(Errno::Inval));
}

#[test]
fn daemon_state_and_name() {
    let mut d = abi::DaemonUser {
        state: 1,
        syncid: 3,
        ..Default::default()
    };
    d.mcast_ifn[..4].copy_from_slice(b"eth0");
    assert_eq!(
        decode_set(set::STARTDAEMON, &bytes(&d)),
        Ok(SetRequest::StartDaemon(d))
    );
    d.state = 3;
    assert_eq!(decode_set(set::STOPDAEMON, &bytes(&d)), Err(Errno::Inval));
    d.state = 2;
    d.mcast_ifn = [b'e'; 16];
    assert_eq!(decode_set(set::STARTDAEMON, &bytes(&d)), Err(Errno::Inval));
}

#[test]
fn get_lengths() {
    assert_eq!(decode_get(get::INFO, &[0; 16]), Ok(GetRequest::Info));
    assert_eq!(decode_get(get::INFO, &[0; 15]), Err(Errno::Inval));
    let mut h = vec![0u8; abi::GetServices::SIZE + 2 * abi::ServiceEntry::SIZE];
    abi::GetServices {
        num_services: 2,
        __pad0: 0,
    }
    .encode(&mut h)
    .unwrap();
    assert_eq!(decode_get(get::SERVICES, &h), Ok(GetRequest::Services(2)));
    h.pop();
    assert_eq!(decode_get(get::SERVICES, &h), Err(Errno::Inval));
    let mut huge = vec![0u8; abi::GetServices::SIZE];
    abi::GetServices {
        num_services: u32::MAX,
        __pad0: 0,
    }
    .encode(&mut huge)
    .unwrap();
    assert_eq!(decode_get(get::SERVICES, &huge), Err(Errno::Inval));
    assert_eq!(
        decode_get(get::DAEMON, &[0; 2 * abi::DaemonUser::SIZE - 1]),
        Err(Errno::Inval)
    );
    assert_eq!(decode_get(get::TIMEOUT, &[0; 12]), Ok(GetRequest::Timeout));
    assert_eq!(decode_get(get::MAX + 1, &[0; 64]), Err(Errno::Inval));
    let e = abi::ServiceEntry {
        svc: tcp4(),
        ..Default::default()
    };
    assert_eq!(
        decode_get(get::SERVICE, &bytes(&e)),
        Ok(GetRequest::Service(tcp4()))
    );
    let d = abi::GetDests {
        svc: tcp4(),
        num_dests: 0,
        __pad0: 0,
    };
    assert_eq!(decode_get(get::DESTS, &bytes(&d)), Ok(GetRequest::Dests(d)));
}

#[test]
fn table_bits_range() {
    use crate::conn::buckets_for_bits;
    assert_eq!(buckets_for_bits(7), None);
    assert_eq!(buckets_for_bits(8), Some(256));
    assert_eq!(buckets_for_bits(12), Some(4096));
    assert_eq!(buckets_for_bits(20), Some(1 << 20));
    assert_eq!(buckets_for_bits(21), None);
    assert_eq!(buckets_for_bits(-1), None);
}
