// SPDX-License-Identifier: GPL-2.0

//! The Rust view of the ABI agrees with `include/uapi/linux/rvs.h` as a C compiler reads it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::process::Command;
use std::string::String;
use std::vec::Vec;
use std::{format, println};

use crate::abi::{self, get, set, Struct};

type Layout = (
    &'static str,
    &'static str,
    usize,
    &'static [(&'static str, usize, usize)],
);

fn layouts() -> Vec<Layout> {
    fn one<T: Struct>() -> Layout {
        (T::C_NAME, core::any::type_name::<T>(), T::SIZE, T::layout())
    }
    std::vec![
        one::<abi::ServiceUser>(),
        one::<abi::DestUser>(),
        one::<abi::ServiceDestUser>(),
        one::<abi::StatsUser>(),
        one::<abi::GetInfo>(),
        one::<abi::ServiceEntry>(),
        one::<abi::DestEntry>(),
        one::<abi::GetServices>(),
        one::<abi::GetDests>(),
        one::<abi::TimeoutUser>(),
        one::<abi::DaemonUser>(),
    ]
}

fn constants() -> Vec<(&'static str, i64)> {
    std::vec![
        ("RVS_VERSION_CODE", abi::VERSION_CODE.into()),
        ("RVS_BASE_CTL", abi::BASE_CTL.into()),
        ("RVS_SCHEDNAME_MAXLEN", abi::SCHEDNAME_MAXLEN as i64),
        ("RVS_PENAME_MAXLEN", abi::PENAME_MAXLEN as i64),
        ("RVS_IFNAME_MAXLEN", abi::IFNAME_MAXLEN as i64),
        ("RVS_SO_SET_ADD", set::ADD.into()),
        ("RVS_SO_SET_EDIT", set::EDIT.into()),
        ("RVS_SO_SET_DEL", set::DEL.into()),
        ("RVS_SO_SET_FLUSH", set::FLUSH.into()),
        ("RVS_SO_SET_ADDDEST", set::ADDDEST.into()),
        ("RVS_SO_SET_DELDEST", set::DELDEST.into()),
        ("RVS_SO_SET_EDITDEST", set::EDITDEST.into()),
        ("RVS_SO_SET_TIMEOUT", set::TIMEOUT.into()),
        ("RVS_SO_SET_STARTDAEMON", set::STARTDAEMON.into()),
        ("RVS_SO_SET_STOPDAEMON", set::STOPDAEMON.into()),
        ("RVS_SO_SET_ZERO", set::ZERO.into()),
        ("RVS_SO_SET_MAX", set::MAX.into()),
        ("RVS_SO_GET_INFO", get::INFO.into()),
        ("RVS_SO_GET_SERVICES", get::SERVICES.into()),
        ("RVS_SO_GET_SERVICE", get::SERVICE.into()),
        ("RVS_SO_GET_DESTS", get::DESTS.into()),
        ("RVS_SO_GET_TIMEOUT", get::TIMEOUT.into()),
        ("RVS_SO_GET_DAEMON", get::DAEMON.into()),
        ("RVS_SO_GET_MAX", get::MAX.into()),
    ]
}

/// Compiles a C program that prints every size, offset and constant, and runs it.
fn c_view() -> BTreeMap<String, i64> {
    let dir = std::env::temp_dir().join(format!("rvs-abi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = String::from(
        "#include <stdio.h>\n#include <stddef.h>\n#include <linux/rvs.h>\nint main(void) {\n",
    );
    for (cname, _, _, fields) in layouts() {
        writeln!(c, "printf(\"{cname} %zu\\n\", sizeof(struct {cname}));").unwrap();
        for (f, _, _) in fields {
            writeln!(
                c,
                "printf(\"{cname}.{f} %zu %zu\\n\", offsetof(struct {cname}, {f}), sizeof(((struct {cname} *)0)->{f}));"
            )
            .unwrap();
        }
    }
    for (name, _) in constants() {
        writeln!(c, "printf(\"{name} %lld\\n\", (long long)({name}));").unwrap();
    }
    c.push_str("return 0;\n}\n");
    let src = dir.join("abi.c");
    let exe = dir.join("abi");
    std::fs::write(&src, c).unwrap();
    let include = concat!(env!("CARGO_MANIFEST_DIR"), "/../../include/uapi");
    let st = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Werror", "-I", include, "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .expect("a C compiler (cc) is needed for the ABI test");
    assert!(st.success(), "the C view of the ABI did not compile");
    let out = Command::new(&exe).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let mut map = BTreeMap::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let mut it = line.split(' ');
        let key = it.next().unwrap();
        let vals: Vec<i64> = it.map(|v| v.parse().unwrap()).collect();
        match vals.as_slice() {
            [v] => {
                map.insert(String::from(key), *v);
            }
            [off, size] => {
                map.insert(format!("{key}@"), *off);
                map.insert(format!("{key}#"), *size);
            }
            _ => panic!("bad line {line}"),
        }
    }
    map
}

#[test]
fn rust_structs_match_the_c_header() {
    let c = c_view();
    let mut checked = 0;
    for (cname, rname, size, fields) in layouts() {
        assert_eq!(c[cname], size as i64, "sizeof(struct {cname}) vs {rname}");
        for (f, off, fsize) in fields {
            assert_eq!(
                c[&format!("{cname}.{f}@")],
                *off as i64,
                "offsetof(struct {cname}, {f})"
            );
            assert_eq!(
                c[&format!("{cname}.{f}#")],
                *fsize as i64,
                "sizeof of {cname}.{f}"
            );
            checked += 1;
        }
        // The Rust view names every byte: its fields add up to the structure.
        let covered: usize = fields.iter().map(|(_, _, s)| s).sum();
        assert_eq!(covered, size, "{rname} has implicit padding");
    }
    for (name, v) in constants() {
        assert_eq!(c[name], v, "{name}");
        checked += 1;
    }
    println!("checked {checked} fields and constants against the C header");
}

#[test]
fn codec_round_trips_at_the_right_offsets() {
    let mut s = abi::ServiceDestUser::default();
    s.svc.af = abi::af::INET6;
    s.svc.port = 0x5000;
    s.svc.addr[15] = 1;
    s.dest.weight = -7;
    s.dest.tun_port = 0x1234;
    let mut buf = [0u8; abi::ServiceDestUser::SIZE];
    s.encode(&mut buf).unwrap();
    assert_eq!(abi::ServiceDestUser::decode(&buf), Some(s));
    let d = core::mem::offset_of!(abi::ServiceDestUser, dest);
    let w = d + core::mem::offset_of!(abi::DestUser, weight);
    assert_eq!(&buf[w..w + 4], &(-7i32).to_ne_bytes());
    assert_eq!(abi::ServiceDestUser::decode(&buf[..buf.len() - 1]), None);
    assert_eq!(s.encode(&mut [0u8; 10]), None);
}
