// SPDX-License-Identifier: GPL-2.0

//! The TCP connection state machine, as ip_vs's (`ip_vs_proto_tcp.c`).
//!
//! ip_vs does not track TCP: it follows the flags of the packets it sees to guess how far a
//! connection has got, which decides whether the connection counts as active for the
//! schedulers and how long it lives without traffic.

use crate::rvs_core::ctl::Timeouts;

/// ip_vs's TCP connection states, with its numbering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TcpState {
    /// No packet seen yet.
    None = 0,
    /// Established.
    Established = 1,
    /// A SYN seen from the real server.
    SynSent = 2,
    /// A SYN seen from the client.
    SynRecv = 3,
    /// A FIN seen from the real server, or from the client when replies bypass the director.
    FinWait = 4,
    /// Both sides closed.
    TimeWait = 5,
    /// Reset or closed.
    Close = 6,
    /// A FIN seen from the client.
    CloseWait = 7,
    /// Closed from both sides, waiting for the last ACK.
    LastAck = 8,
    /// Waiting for a data connection (set by ip_vs's FTP helper, not by a transition).
    Listen = 9,
    /// ip_vs's SYNACK state (no transition leads to it).
    SynAck = 10,
}

impl TcpState {
    /// Every state, in numbering order (`ALL[s as usize] == s`).
    pub const ALL: [TcpState; 11] = [
        TcpState::None,
        TcpState::Established,
        TcpState::SynSent,
        TcpState::SynRecv,
        TcpState::FinWait,
        TcpState::TimeWait,
        TcpState::Close,
        TcpState::CloseWait,
        TcpState::LastAck,
        TcpState::Listen,
        TcpState::SynAck,
    ];

    /// The state numbered `v`, or None past the last.
    pub fn from_u8(v: u8) -> Option<Self> {
        Self::ALL.get(usize::from(v)).copied()
    }

    /// ip_vs's name: "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
    /// "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK".
    pub fn name(self) -> &'static str {
        match self {
            TcpState::None => "NONE",
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait => "FIN_WAIT",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::SynAck => "SYNACK",
        }
    }

    /// Counted in a real server's active connections: ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK
    /// (as ip_vs's tcp_state_active_table).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            TcpState::Established | TcpState::SynSent | TcpState::SynRecv | TcpState::SynAck
        )
    }
}

/// Which way a packet goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    Input,
    /// Server to client (NAT replies).
    Output,
    /// Client to server on a connection whose replies bypass the director (DR, tunnel).
    InputOnly,
}

/// TCP flag bits of the header's flags byte.
pub mod flags {
    /// No more data from the sender.
    pub const FIN: u8 = 0x01;
    /// Synchronise sequence numbers.
    pub const SYN: u8 = 0x02;
    /// Reset the connection.
    pub const RST: u8 = 0x04;
    /// The acknowledgment field is significant.
    pub const ACK: u8 = 0x10;
}

const ES: TcpState = TcpState::Established;
const SS: TcpState = TcpState::SynSent;
const SR: TcpState = TcpState::SynRecv;
const FW: TcpState = TcpState::FinWait;
const TW: TcpState = TcpState::TimeWait;
const CL: TcpState = TcpState::Close;
const CW: TcpState = TcpState::CloseWait;
const LA: TcpState = TcpState::LastAck;
const LI: TcpState = TcpState::Listen;

/// ip_vs's `tcp_states`: one row per direction and flag (syn, fin, ack, rst), one column per
/// current state (NO is None, SA SynAck).
#[rustfmt::skip]
const TABLE: [[TcpState; 11]; 12] = [
    //     NO  ES  SS  SR  FW  TW  CL  CW  LA  LI  SA
    // Input
    /*syn*/ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
    /*fin*/ [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW],
    /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
    /*rst*/ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR],
    // Output
    /*syn*/ [SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR],
    /*fin*/ [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
    /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
    /*rst*/ [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],
    // InputOnly
    /*syn*/ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
    /*fin*/ [CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW],
    /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
    /*rst*/ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL],
];

/// The state after a packet with TCP flags byte `f` goes `dir` on a connection in `cur`;
/// precedence RST > SYN > FIN > ACK; a packet with none of the four closes the entry (CLOSE), as in ip_vs.
pub fn transition(cur: TcpState, dir: Dir, f: u8) -> TcpState {
    let base = match dir {
        Dir::Input => 0,
        Dir::Output => 4,
        Dir::InputOnly => 8,
    };
    let row = if f & flags::RST != 0 {
        3
    } else if f & flags::SYN != 0 {
        0
    } else if f & flags::FIN != 0 {
        1
    } else if f & flags::ACK != 0 {
        2
    } else {
        // ip_vs's set_tcp_state: a segment with none of the four flags closes the entry.
        return TcpState::Close;
    };
    TABLE
        .get(base + row)
        .and_then(|r| r.get(usize::from(cur as u8)))
        .copied()
        .unwrap_or(cur)
}

/// Seconds a connection in `s` lives without traffic: ESTABLISHED t.tcp, FIN_WAIT t.tcp_fin,
/// others ip_vs's defaults: NONE 2, SYN_SENT 120, SYN_RECV 60, TIME_WAIT 120, CLOSE 10,
/// CLOSE_WAIT 60, LAST_ACK 30, LISTEN 120, SYNACK 120.
///
/// A negative configured timeout counts as 0.
pub fn timeout(s: TcpState, t: &Timeouts) -> u32 {
    match s {
        TcpState::None => 2,
        TcpState::Established => u32::try_from(t.tcp).unwrap_or(0),
        TcpState::SynSent => 120,
        TcpState::SynRecv => 60,
        TcpState::FinWait => u32::try_from(t.tcp_fin).unwrap_or(0),
        TcpState::TimeWait => 120,
        TcpState::Close => 10,
        TcpState::CloseWait => 60,
        TcpState::LastAck => 30,
        TcpState::Listen => 120,
        TcpState::SynAck => 120,
    }
}

/// Name of the single UDP state, as ip_vs shows it.
pub const UDP_STATE_NAME: &str = "UDP";
