// SPDX-License-Identifier: GPL-2.0

//! Error numbers the control path returns, with Linux's values.

/// A Linux error number, as returned (negated) by a socket option handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Errno {
    /// Operation not permitted.
    Perm = 1,
    /// No such file or directory (unknown scheduler).
    NoEnt = 2,
    /// No such process (no such service or daemon).
    Srch = 3,
    /// Out of memory.
    NoMem = 12,
    /// Bad address (ip_vs's answer to an unknown protocol, kept for compatibility).
    Fault = 14,
    /// Already exists.
    Exist = 17,
    /// Invalid argument.
    Inval = 22,
    /// Result out of range.
    Range = 34,
    /// Protocol not available (unknown socket option).
    NoProtoOpt = 92,
    /// Operation not supported (a command this version of rvs cannot carry out).
    OpNotSupp = 95,
    /// Address family not supported.
    AfNoSupport = 97,
}

impl Errno {
    /// The positive error number.
    pub const fn code(self) -> i32 {
        self as i32
    }
}
