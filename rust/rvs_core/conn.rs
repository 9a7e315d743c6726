// SPDX-License-Identifier: GPL-2.0

//! Connection entries: their key and the table's geometry.

/// Smallest `conn_tab_bits` accepted (as ip_vs).
pub const MIN_TAB_BITS: i32 = 8;
/// Largest `conn_tab_bits` accepted (as ip_vs).
pub const MAX_TAB_BITS: i32 = 20;

/// The bucket count for `bits`, or `None` when `bits` is out of range.
pub fn buckets_for_bits(bits: i32) -> Option<u32> {
    (MIN_TAB_BITS..=MAX_TAB_BITS)
        .contains(&bits)
        .then(|| 1u32 << bits)
}

/// Who a connection joins: client, virtual service and real server, with ports in network
/// byte order and IPv4 addresses in the first 4 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tuple {
    /// Address family of the client side.
    pub af: u16,
    /// Address family of the real server.
    pub daf: u16,
    /// IP protocol.
    pub protocol: u8,
    /// Client address.
    pub caddr: [u8; 16],
    /// Virtual address.
    pub vaddr: [u8; 16],
    /// Real server address.
    pub daddr: [u8; 16],
    /// Client port.
    pub cport: u16,
    /// Virtual port.
    pub vport: u16,
    /// Real server port.
    pub dport: u16,
}
