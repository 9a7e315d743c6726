// SPDX-License-Identifier: GPL-2.0

//! The TCP state machine against ip_vs's table.

use crate::ctl::{Timeouts, DEFAULT_TIMEOUTS};
use crate::tcp_state::{flags, timeout, transition, Dir, TcpState, UDP_STATE_NAME};

use flags::{ACK, FIN, RST, SYN};

/// ip_vs's `tcp_states`, copied as text: direction, flag, then the next state for each
/// current state in numbering order.
const TABLE: [&str; 12] = [
    "IN   syn    SR   ES   ES   SR   SR   SR   SR   SR   SR   SR   SR",
    "IN   fin    CL   CW   SS   TW   TW   TW   CL   CW   LA   LI   TW",
    "IN   ack    ES   ES   SS   ES   FW   TW   CL   CW   CL   LI   ES",
    "IN   rst    CL   CL   CL   SR   CL   CL   CL   CL   LA   LI   SR",
    "OUT  syn    SS   ES   SS   SR   SS   SS   SS   SS   SS   LI   SR",
    "OUT  fin    TW   FW   SS   TW   FW   TW   CL   TW   LA   LI   TW",
    "OUT  ack    ES   ES   SS   ES   FW   TW   CL   CW   LA   ES   ES",
    "OUT  rst    CL   CL   SS   CL   CL   TW   CL   CL   CL   CL   CL",
    "INO  syn    SR   ES   ES   SR   SR   SR   SR   SR   SR   SR   SR",
    "INO  fin    CL   FW   SS   TW   FW   TW   CL   CW   LA   LI   TW",
    "INO  ack    ES   ES   SS   ES   FW   TW   CL   CW   CL   LI   ES",
    "INO  rst    CL   CL   CL   SR   CL   CL   CL   CL   LA   LI   CL",
];

const COLUMNS: [&str; 11] = [
    "NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA",
];

fn abbrev(s: &str) -> TcpState {
    let i = COLUMNS.iter().position(|&c| c == s).unwrap();
    TcpState::from_u8(i as u8).unwrap()
}

fn dir(s: &str) -> Dir {
    match s {
        "IN" => Dir::Input,
        "OUT" => Dir::Output,
        "INO" => Dir::InputOnly,
        _ => panic!("{s}"),
    }
}

fn flag(s: &str) -> u8 {
    match s {
        "syn" => SYN,
        "fin" => FIN,
        "ack" => ACK,
        "rst" => RST,
        _ => panic!("{s}"),
    }
}

#[test]
fn every_cell() {
    let mut cells = 0;
    for line in TABLE {
        let mut f = line.split_whitespace();
        let d = dir(f.next().unwrap());
        let fl = flag(f.next().unwrap());
        let next: std::vec::Vec<TcpState> = f.map(abbrev).collect();
        assert_eq!(next.len(), 11, "{line}");
        for (cur, want) in TcpState::ALL.into_iter().zip(next) {
            assert_eq!(transition(cur, d, fl), want, "{line}: from {}", cur.name());
            cells += 1;
        }
    }
    assert_eq!(cells, 12 * 11);
}

#[test]
fn precedence() {
    for d in [Dir::Input, Dir::Output, Dir::InputOnly] {
        for cur in TcpState::ALL {
            let rst = transition(cur, d, RST);
            let syn = transition(cur, d, SYN);
            let fin = transition(cur, d, FIN);
            let ack = transition(cur, d, ACK);
            assert_eq!(transition(cur, d, RST | SYN | FIN | ACK), rst);
            assert_eq!(transition(cur, d, RST | ACK), rst);
            assert_eq!(transition(cur, d, RST | FIN), rst);
            assert_eq!(transition(cur, d, SYN | FIN | ACK), syn);
            assert_eq!(transition(cur, d, SYN | ACK), syn);
            assert_eq!(transition(cur, d, FIN | ACK), fin);
            // PSH, URG, ECE, CWR do not count.
            assert_eq!(transition(cur, d, ACK | 0x08 | 0x20 | 0x40 | 0x80), ack);
            assert_eq!(transition(cur, d, FIN | 0x08), fin);
            // None of the four: CLOSE, as ip_vs's set_tcp_state.
            for other in [0u8, 0x08, 0x20, 0x40, 0x80, 0xe8] {
                assert_eq!(transition(cur, d, other), TcpState::Close);
            }
        }
    }
}

fn walk(start: TcpState, steps: &[(Dir, u8, TcpState)]) {
    let mut s = start;
    for (i, &(d, f, want)) in steps.iter().enumerate() {
        s = transition(s, d, f);
        assert_eq!(s, want, "step {i}");
    }
}

#[test]
fn nat_client_closes() {
    use Dir::{Input as I, Output as O};
    use TcpState::*;
    walk(
        TcpState::None,
        &[
            (I, SYN, SynRecv),
            (O, SYN | ACK, SynRecv),
            (I, ACK, Established),
            (I, ACK | 0x08, Established),
            (O, ACK, Established),
            (I, FIN | ACK, CloseWait),
            (O, ACK, CloseWait),
            (O, FIN | ACK, TimeWait),
            (I, ACK, TimeWait),
        ],
    );
}

#[test]
fn nat_server_closes() {
    use Dir::{Input as I, Output as O};
    use TcpState::*;
    walk(
        TcpState::None,
        &[
            (I, SYN, SynRecv),
            (O, SYN | ACK, SynRecv),
            (I, ACK, Established),
            (O, FIN | ACK, FinWait),
            (I, ACK, FinWait),
            (I, FIN | ACK, TimeWait),
            (O, ACK, TimeWait),
        ],
    );
}

#[test]
fn nat_reset() {
    use Dir::{Input as I, Output as O};
    use TcpState::*;
    walk(
        TcpState::None,
        &[
            (I, SYN, SynRecv),
            (O, RST | ACK, Close),
            (I, SYN, SynRecv),
            (O, SYN | ACK, SynRecv),
            (I, ACK, Established),
            (I, RST, Close),
        ],
    );
    // A reset from the client during the handshake is ignored (ip_vs: SYN_RECV stays).
    walk(TcpState::SynRecv, &[(I, RST, SynRecv)]);
}

#[test]
fn dr_input_only() {
    use Dir::InputOnly as N;
    use TcpState::*;
    walk(
        TcpState::None,
        &[
            (N, SYN, SynRecv),
            (N, ACK, Established),
            (N, ACK | 0x08, Established),
            (N, FIN | ACK, FinWait),
            (N, ACK, FinWait),
            (N, RST, Close),
        ],
    );
    // Unlike Input, a client FIN means FIN_WAIT, not CLOSE_WAIT.
    assert_eq!(
        transition(Established, Dir::Input, FIN),
        TcpState::CloseWait
    );
    // And a reset during SYNACK closes.
    assert_eq!(transition(SynAck, N, RST), Close);
    assert_eq!(transition(SynAck, Dir::Input, RST), SynRecv);
}

#[test]
fn names_and_numbers() {
    let names = [
        "NONE",
        "ESTABLISHED",
        "SYN_SENT",
        "SYN_RECV",
        "FIN_WAIT",
        "TIME_WAIT",
        "CLOSE",
        "CLOSE_WAIT",
        "LAST_ACK",
        "LISTEN",
        "SYNACK",
    ];
    for (i, name) in names.iter().enumerate() {
        let s = TcpState::from_u8(i as u8).unwrap();
        assert_eq!(s as u8, i as u8);
        assert_eq!(s.name(), *name);
        assert_eq!(TcpState::ALL[i], s);
    }
    for v in 11..=255u8 {
        assert_eq!(TcpState::from_u8(v), None);
    }
    assert_eq!(UDP_STATE_NAME, "UDP");
}

#[test]
fn active_states() {
    let active: std::vec::Vec<TcpState> = TcpState::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .collect();
    assert_eq!(
        active,
        [
            TcpState::Established,
            TcpState::SynSent,
            TcpState::SynRecv,
            TcpState::SynAck
        ]
    );
}

#[test]
fn timeouts() {
    let defaults: [(TcpState, u32); 11] = [
        (TcpState::None, 2),
        (TcpState::Established, 900),
        (TcpState::SynSent, 120),
        (TcpState::SynRecv, 60),
        (TcpState::FinWait, 120),
        (TcpState::TimeWait, 120),
        (TcpState::Close, 10),
        (TcpState::CloseWait, 60),
        (TcpState::LastAck, 30),
        (TcpState::Listen, 120),
        (TcpState::SynAck, 120),
    ];
    for (s, secs) in defaults {
        assert_eq!(timeout(s, &DEFAULT_TIMEOUTS), secs, "{}", s.name());
    }
    let t = Timeouts {
        tcp: 3600,
        tcp_fin: 7,
        udp: 9,
    };
    for (s, secs) in defaults {
        let want = match s {
            TcpState::Established => 3600,
            TcpState::FinWait => 7,
            _ => secs,
        };
        assert_eq!(timeout(s, &t), want, "{}", s.name());
    }
    let neg = Timeouts {
        tcp: -1,
        tcp_fin: i32::MIN,
        udp: -5,
    };
    assert_eq!(timeout(TcpState::Established, &neg), 0);
    assert_eq!(timeout(TcpState::FinWait, &neg), 0);
    assert_eq!(timeout(TcpState::Close, &neg), 10);
    let max = Timeouts {
        tcp: i32::MAX,
        tcp_fin: 0,
        udp: 0,
    };
    assert_eq!(timeout(TcpState::Established, &max), i32::MAX as u32);
    assert_eq!(timeout(TcpState::FinWait, &max), 0);
}
