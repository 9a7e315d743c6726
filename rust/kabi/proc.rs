// SPDX-License-Identifier: GPL-2.0

//! rvs's files in /proc/net, and a `fmt::Write` over a `seq_file`.
//!
//! C header: [`include/linux/seq_file.h`](srctree/include/linux/seq_file.h)

use core::fmt;

use kernel::bindings;
use kernel::error::to_result;
use kernel::prelude::*;
use kernel::types::Opaque;

use super::glue;
use super::net::Net;

/// Which /proc/net file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProcFile {
    /// `/proc/net/rvs`: services and real servers.
    Services,
    /// `/proc/net/rvs_stats`: totals.
    Stats,
    /// `/proc/net/rvs_conn`: connections.
    Conn,
}

/// `/proc/net/rvs`, `rvs_stats` and `rvs_conn` of one namespace, removed on drop.
///
/// # Invariants
///
/// The three entries exist in `net`'s /proc/net while the value exists, and `net` outlives it
/// (it is part of the namespace's rvs state, dropped by the pernet exit).
pub(crate) struct ProcFiles {
    net: *mut bindings::net,
}

impl ProcFiles {
    /// Creates the three files in `net`.
    pub(crate) fn new(net: &Net) -> Result<Self> {
        // SAFETY: `net` is live; the glue removes whatever it created when it fails.
        to_result(unsafe { glue::rvs_glue_proc_create(net.as_raw()) })?;
        Ok(Self { net: net.as_raw() })
    }
}

impl Drop for ProcFiles {
    fn drop(&mut self) {
        // SAFETY: by the invariant the entries exist and `net` is live. Removal waits for
        // readers, so no show callback runs after this returns.
        unsafe { glue::rvs_glue_proc_remove(self.net) }
    }
}

// SAFETY: removal may happen from any thread; the pointer is only used for it.
unsafe impl Send for ProcFiles {}
// SAFETY: a shared `ProcFiles` offers no operation.
unsafe impl Sync for ProcFiles {}

/// A `seq_file` being filled by a show callback.
#[repr(transparent)]
pub(crate) struct SeqFile(Opaque<bindings::seq_file>);

impl fmt::Write for SeqFile {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // SAFETY: `self` wraps the live seq_file of the current show callback; `s` is valid for
        // `s.len()` bytes. seq_write records an overflow itself and the core retries.
        unsafe { glue::rvs_glue_seq_write(self.0.get(), s.as_ptr().cast(), s.len()) };
        Ok(())
    }
}

/// Show callback of the three files.
#[no_mangle]
extern "C" fn rvs_rust_proc_show(
    m: *mut bindings::seq_file,
    net: *mut bindings::net,
    file: glue::rvs_proc_file,
) -> kernel::ffi::c_int {
    // SAFETY: the proc core keeps the namespace alive while one of its files is open.
    let net = unsafe { Net::from_raw(net) };
    // CAST: `SeqFile` is a `repr(transparent)` wrapper around `bindings::seq_file`.
    // SAFETY: `m` is the live seq_file of this read, used by no one else during the call.
    let m = unsafe { &mut *m.cast::<SeqFile>() };
    let file = match file {
        glue::rvs_proc_file_RVS_PROC_SERVICES => ProcFile::Services,
        glue::rvs_proc_file_RVS_PROC_STATS => ProcFile::Stats,
        _ => ProcFile::Conn,
    };
    // A formatting error cannot come from SeqFile; seq_file reports overflow by itself.
    let _ = crate::proc::show(net.state(), file, m);
    0
}
