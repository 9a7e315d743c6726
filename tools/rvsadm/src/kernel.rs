//! The module's socket options, through an unprivileged UDP socket.
//!
//! ipvsadm opens a raw socket, which needs CAP_NET_RAW; rvs accepts its options on any
//! AF_INET or AF_INET6 socket, so the kernel's CAP_NET_ADMIN check is the only one that decides.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use rvs_core::abi::{self, get, Struct};

/// A control socket.
pub struct Control {
    fd: OwnedFd,
}

impl Control {
    /// Opens a UDP socket (IPv4, or IPv6 on a host without IPv4).
    pub fn open() -> io::Result<Self> {
        for family in [libc::AF_INET, libc::AF_INET6] {
            // SAFETY: plain socket(2) call; the result is checked.
            let fd = unsafe { libc::socket(family, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
            if fd >= 0 {
                // SAFETY: `fd` is a fresh descriptor that nothing else owns.
                return Ok(Self {
                    fd: unsafe { OwnedFd::from_raw_fd(fd) },
                });
            }
        }
        Err(io::Error::last_os_error())
    }

    /// `setsockopt(IPPROTO_IP, cmd, arg)`.
    pub fn set(&self, cmd: i32, arg: &[u8]) -> io::Result<()> {
        // SAFETY: `arg` is valid for `arg.len()` bytes.
        let r = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::IPPROTO_IP,
                cmd,
                arg.as_ptr().cast(),
                arg.len() as libc::socklen_t,
            )
        };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    /// `getsockopt(IPPROTO_IP, cmd)` with `buf` as request and reply; returns the reply length.
    pub fn get(&self, cmd: i32, buf: &mut [u8]) -> io::Result<usize> {
        let mut len = buf.len() as libc::socklen_t;
        // SAFETY: `buf` is valid for writes of `len` bytes and `len` is a valid out-pointer.
        let r = unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::IPPROTO_IP,
                cmd,
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if r < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(len as usize)
        }
    }

    /// Sets with a structure as argument.
    pub fn set_struct<T: Struct>(&self, cmd: i32, v: &T) -> io::Result<()> {
        let mut b = vec![0u8; T::SIZE];
        v.encode(&mut b).expect("buffer of the structure's size");
        self.set(cmd, &b)
    }

    /// Module information.
    pub fn info(&self) -> io::Result<abi::GetInfo> {
        let mut b = [0u8; abi::GetInfo::SIZE];
        self.get(get::INFO, &mut b)?;
        Ok(abi::GetInfo::decode(&b).expect("GetInfo-sized buffer"))
    }

    /// Every service with its real servers.
    pub fn services(&self) -> io::Result<Vec<(abi::ServiceEntry, Vec<abi::DestEntry>)>> {
        let n = self.info()?.num_services;
        let mut b = vec![0u8; abi::GetServices::SIZE + n as usize * abi::ServiceEntry::SIZE];
        abi::GetServices {
            num_services: n,
            __pad0: 0,
        }
        .encode(&mut b)
        .expect("sized");
        let len = self.get(get::SERVICES, &mut b)?;
        let h = abi::GetServices::decode(&b[..len])
            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
        let mut out = Vec::new();
        for i in 0..h.num_services.min(n) as usize {
            let off = abi::GetServices::SIZE + i * abi::ServiceEntry::SIZE;
            let e = abi::ServiceEntry::decode(&b[off..])
                .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
            let dests = self.dests(&e)?;
            out.push((e, dests));
        }
        Ok(out)
    }

    /// One service.
    pub fn service(&self, svc: &abi::ServiceUser) -> io::Result<abi::ServiceEntry> {
        let mut b = vec![0u8; abi::ServiceEntry::SIZE];
        abi::ServiceEntry {
            svc: *svc,
            ..Default::default()
        }
        .encode(&mut b)
        .expect("sized");
        self.get(get::SERVICE, &mut b)?;
        abi::ServiceEntry::decode(&b).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))
    }

    /// The real servers of a service.
    pub fn dests(&self, e: &abi::ServiceEntry) -> io::Result<Vec<abi::DestEntry>> {
        let n = e.num_dests as usize;
        let mut b = vec![0u8; abi::GetDests::SIZE + n * abi::DestEntry::SIZE];
        abi::GetDests {
            svc: e.svc,
            num_dests: e.num_dests,
            __pad0: 0,
        }
        .encode(&mut b)
        .expect("sized");
        let len = self.get(get::DESTS, &mut b)?;
        let h = abi::GetDests::decode(&b[..len])
            .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))?;
        (0..(h.num_dests as usize).min(n))
            .map(|i| {
                abi::DestEntry::decode(&b[abi::GetDests::SIZE + i * abi::DestEntry::SIZE..])
                    .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidData))
            })
            .collect()
    }

    /// Timeouts.
    pub fn timeouts(&self) -> io::Result<abi::TimeoutUser> {
        let mut b = [0u8; abi::TimeoutUser::SIZE];
        self.get(get::TIMEOUT, &mut b)?;
        Ok(abi::TimeoutUser::decode(&b).expect("sized"))
    }

    /// The master and backup sync daemons.
    pub fn daemons(&self) -> io::Result<[abi::DaemonUser; 2]> {
        let mut b = [0u8; 2 * abi::DaemonUser::SIZE];
        self.get(get::DAEMON, &mut b)?;
        Ok([
            abi::DaemonUser::decode(&b).expect("sized"),
            abi::DaemonUser::decode(&b[abi::DaemonUser::SIZE..]).expect("sized"),
        ])
    }
}
