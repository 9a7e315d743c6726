// SPDX-License-Identifier: GPL-2.0

//! Rust view of the control ABI defined in `include/uapi/linux/rvs.h`.
//!
//! Every structure is `#[repr(C)]` with the header's fields in the header's order, and decodes
//! from and encodes to byte slices without `unsafe`: each field is read or written at its
//! `offset_of!` position in host byte order. The module checks these layouts against bindgen's
//! reading of the header at build time; `cargo test` checks them against a C compiler's.

use core::mem::{offset_of, size_of};

/// Version of the module and of this ABI: `major << 16 | minor << 8 | patch`.
pub const VERSION_CODE: u32 = 0x00_01_00;
/// Length of a scheduler name, NUL included.
pub const SCHEDNAME_MAXLEN: usize = 16;
/// Length of a persistence engine name, NUL included.
pub const PENAME_MAXLEN: usize = 16;
/// Length of an interface name, NUL included.
pub const IFNAME_MAXLEN: usize = 16;

/// First socket option number of rvs.
pub const BASE_CTL: i32 = 64 + 1024 + 64 + 128;

/// Address family numbers of Linux.
pub mod af {
    /// IPv4.
    pub const INET: u16 = 2;
    /// IPv6.
    pub const INET6: u16 = 10;
}

/// Socket options of `setsockopt()`.
pub mod set {
    use super::BASE_CTL;
    /// Add a virtual service.
    pub const ADD: i32 = BASE_CTL;
    /// Edit a virtual service.
    pub const EDIT: i32 = BASE_CTL + 1;
    /// Delete a virtual service.
    pub const DEL: i32 = BASE_CTL + 2;
    /// Delete every service of the namespace.
    pub const FLUSH: i32 = BASE_CTL + 3;
    /// Add a real server.
    pub const ADDDEST: i32 = BASE_CTL + 4;
    /// Delete a real server.
    pub const DELDEST: i32 = BASE_CTL + 5;
    /// Edit a real server.
    pub const EDITDEST: i32 = BASE_CTL + 6;
    /// Set timeouts.
    pub const TIMEOUT: i32 = BASE_CTL + 7;
    /// Start a sync daemon.
    pub const STARTDAEMON: i32 = BASE_CTL + 8;
    /// Stop a sync daemon.
    pub const STOPDAEMON: i32 = BASE_CTL + 9;
    /// Zero counters.
    pub const ZERO: i32 = BASE_CTL + 10;
    /// Last set option.
    pub const MAX: i32 = ZERO;
}

/// Socket options of `getsockopt()`.
pub mod get {
    use super::BASE_CTL;
    /// Module version, table size, number of services.
    pub const INFO: i32 = BASE_CTL;
    /// All services.
    pub const SERVICES: i32 = BASE_CTL + 1;
    /// One service.
    pub const SERVICE: i32 = BASE_CTL + 2;
    /// The real servers of a service.
    pub const DESTS: i32 = BASE_CTL + 3;
    /// Timeouts.
    pub const TIMEOUT: i32 = BASE_CTL + 4;
    /// Sync daemons.
    pub const DAEMON: i32 = BASE_CTL + 5;
    /// Last get option.
    pub const MAX: i32 = DAEMON;
}

/// A field type of an ABI structure: a fixed number of bytes in host byte order.
pub trait Field: Copy + Default {
    /// Size in bytes.
    const SIZE: usize;
    /// Reads the field from exactly `SIZE` bytes.
    fn read(bytes: &[u8]) -> Self;
    /// Writes the field into exactly `SIZE` bytes.
    fn write(&self, bytes: &mut [u8]);
}

macro_rules! int_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const SIZE: usize = size_of::<$t>();
            fn read(bytes: &[u8]) -> Self {
                let mut a = [0u8; size_of::<$t>()];
                a.copy_from_slice(bytes);
                <$t>::from_ne_bytes(a)
            }
            fn write(&self, bytes: &mut [u8]) {
                bytes.copy_from_slice(&self.to_ne_bytes());
            }
        }
    )*};
}
int_field!(u8, u16, u32, u64, i32);

impl<const N: usize> Field for [u8; N]
where
    [u8; N]: Default,
{
    const SIZE: usize = N;
    fn read(bytes: &[u8]) -> Self {
        let mut a = [0u8; N];
        a.copy_from_slice(bytes);
        a
    }
    fn write(&self, bytes: &mut [u8]) {
        bytes.copy_from_slice(self);
    }
}

/// An ABI structure: decodes from and encodes to its exact byte image.
pub trait Struct: Sized + Default {
    /// `sizeof` of the C structure.
    const SIZE: usize;
    /// The C name of the structure.
    const C_NAME: &'static str;
    /// Decodes `bytes`, which must be at least `SIZE` long; `None` when it is shorter.
    fn decode(bytes: &[u8]) -> Option<Self>;
    /// Encodes into `bytes`, which must be at least `SIZE` long; `None` when it is shorter.
    fn encode(&self, bytes: &mut [u8]) -> Option<()>;
    /// Each field's C name, offset and size, in declaration order.
    fn layout() -> &'static [(&'static str, usize, usize)];
}

/// Declares an ABI structure and its codec; field types implement [`Field`] or [`Struct`].
macro_rules! abi_struct {
    ($(#[$m:meta])* $name:ident = $cname:literal {
        $($(#[$fm:meta])* $field:ident : $ty:ty [$kind:ident]),* $(,)?
    }) => {
        $(#[$m])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl Struct for $name {
            const SIZE: usize = size_of::<$name>();
            const C_NAME: &'static str = $cname;
            fn decode(bytes: &[u8]) -> Option<Self> {
                let bytes = bytes.get(..Self::SIZE)?;
                Some(Self {
                    $($field: abi_struct!(@read $kind, $ty, bytes, offset_of!($name, $field)),)*
                })
            }
            fn encode(&self, bytes: &mut [u8]) -> Option<()> {
                let bytes = bytes.get_mut(..Self::SIZE)?;
                $(abi_struct!(@write $kind, $ty, self.$field, bytes, offset_of!($name, $field));)*
                Some(())
            }
            fn layout() -> &'static [(&'static str, usize, usize)] {
                &[$((stringify!($field), offset_of!($name, $field), size_of::<$ty>()),)*]
            }
        }
    };
    (@read field, $ty:ty, $b:ident, $off:expr) => {
        <$ty as Field>::read(&$b[$off..$off + <$ty as Field>::SIZE])
    };
    (@read nested, $ty:ty, $b:ident, $off:expr) => {
        <$ty as Struct>::decode(&$b[$off..])?
    };
    (@write field, $ty:ty, $v:expr, $b:ident, $off:expr) => {
        <$ty as Field>::write(&$v, &mut $b[$off..$off + <$ty as Field>::SIZE])
    };
    (@write nested, $ty:ty, $v:expr, $b:ident, $off:expr) => {
        <$ty as Struct>::encode(&$v, &mut $b[$off..])?
    };
}

abi_struct! {
    /// `struct rvs_service_user`: a virtual service.
    ServiceUser = "rvs_service_user" {
        /// Address family.
        af: u16 [field],
        /// IP protocol.
        protocol: u16 [field],
        /// Port, network byte order.
        port: u16 [field],
        /// Padding.
        __pad0: u16 [field],
        /// Address, network byte order.
        addr: [u8; 16] [field],
        /// Firewall mark, or 0.
        fwmark: u32 [field],
        /// `RVS_SVC_F_*`.
        flags: u32 [field],
        /// Persistence timeout, seconds.
        timeout: u32 [field],
        /// Persistence netmask (IPv4) or prefix length (IPv6).
        netmask: u32 [field],
        /// Scheduler name, NUL-terminated.
        sched_name: [u8; SCHEDNAME_MAXLEN] [field],
        /// Persistence engine name, NUL-terminated.
        pe_name: [u8; PENAME_MAXLEN] [field],
    }
}

abi_struct! {
    /// `struct rvs_dest_user`: a real server.
    DestUser = "rvs_dest_user" {
        /// Address family, 0 for the service's.
        af: u16 [field],
        /// Port, network byte order.
        port: u16 [field],
        /// Address, network byte order.
        addr: [u8; 16] [field],
        /// Forwarding method.
        conn_flags: u32 [field],
        /// Weight.
        weight: i32 [field],
        /// Upper connection threshold.
        u_threshold: u32 [field],
        /// Lower connection threshold.
        l_threshold: u32 [field],
        /// Tunnel type.
        tun_type: u8 [field],
        /// Padding.
        __pad0: u8 [field],
        /// Tunnel port, network byte order.
        tun_port: u16 [field],
        /// Tunnel flags.
        tun_flags: u16 [field],
        /// Padding.
        __pad1: u16 [field],
        /// Padding, so that the structure is 8-byte aligned in size.
        __pad2: u32 [field],
    }
}

abi_struct! {
    /// `struct rvs_service_dest_user`: argument of the real-server commands.
    ServiceDestUser = "rvs_service_dest_user" {
        /// The service.
        svc: ServiceUser [nested],
        /// The real server.
        dest: DestUser [nested],
    }
}

abi_struct! {
    /// `struct rvs_stats_user`: counters and rates.
    StatsUser = "rvs_stats_user" {
        /// Connections.
        conns: u64 [field],
        /// Packets in.
        inpkts: u64 [field],
        /// Packets out.
        outpkts: u64 [field],
        /// Bytes in.
        inbytes: u64 [field],
        /// Bytes out.
        outbytes: u64 [field],
        /// Connections per second.
        cps: u64 [field],
        /// Packets in per second.
        inpps: u64 [field],
        /// Packets out per second.
        outpps: u64 [field],
        /// Bytes in per second.
        inbps: u64 [field],
        /// Bytes out per second.
        outbps: u64 [field],
    }
}

abi_struct! {
    /// `struct rvs_getinfo`: reply of `RVS_SO_GET_INFO`.
    GetInfo = "rvs_getinfo" {
        /// `RVS_VERSION_CODE` of the module.
        version: u32 [field],
        /// Buckets of the connection table.
        conn_tab_size: u32 [field],
        /// Services in the caller's namespace.
        num_services: u32 [field],
        /// Padding.
        __pad0: u32 [field],
    }
}

abi_struct! {
    /// `struct rvs_service_entry`: one service of a listing.
    ServiceEntry = "rvs_service_entry" {
        /// The service.
        svc: ServiceUser [nested],
        /// Number of real servers.
        num_dests: u32 [field],
        /// Padding.
        __pad0: u32 [field],
        /// Statistics.
        stats: StatsUser [nested],
    }
}

abi_struct! {
    /// `struct rvs_dest_entry`: one real server of a listing.
    DestEntry = "rvs_dest_entry" {
        /// The real server.
        dest: DestUser [nested],
        /// Active connections.
        activeconns: u32 [field],
        /// Inactive connections.
        inactconns: u32 [field],
        /// Persistence templates.
        persistconns: u32 [field],
        /// Padding.
        __pad0: u32 [field],
        /// Statistics.
        stats: StatsUser [nested],
    }
}

abi_struct! {
    /// Header of `struct rvs_get_services`.
    GetServices = "rvs_get_services" {
        /// Entries that follow.
        num_services: u32 [field],
        /// Padding.
        __pad0: u32 [field],
    }
}

abi_struct! {
    /// Header of `struct rvs_get_dests`.
    GetDests = "rvs_get_dests" {
        /// The service.
        svc: ServiceUser [nested],
        /// Entries that follow.
        num_dests: u32 [field],
        /// Padding.
        __pad0: u32 [field],
    }
}

abi_struct! {
    /// `struct rvs_timeout_user`: timeouts in seconds.
    TimeoutUser = "rvs_timeout_user" {
        /// Established TCP.
        tcp_timeout: i32 [field],
        /// Closing TCP.
        tcp_fin_timeout: i32 [field],
        /// UDP.
        udp_timeout: i32 [field],
    }
}

abi_struct! {
    /// `struct rvs_daemon_user`: a sync daemon.
    DaemonUser = "rvs_daemon_user" {
        /// Master or backup.
        state: i32 [field],
        /// Multicast interface name.
        mcast_ifn: [u8; IFNAME_MAXLEN] [field],
        /// Sync id.
        syncid: i32 [field],
    }
}

/// Splits a version code into (major, minor, patch).
pub const fn version_parts(code: u32) -> (u32, u32, u32) {
    ((code >> 16) & 0xff, (code >> 8) & 0xff, code & 0xff)
}

/// A version code displayed as `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version(pub u32);

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let (a, b, c) = version_parts(self.0);
        write!(f, "{a}.{b}.{c}")
    }
}
