// SPDX-License-Identifier: GPL-2.0

//! The text of /proc/net/rvs, rvs_stats and rvs_conn.

use core::fmt;

use crate::kabi::proc::{ProcFile, SeqFile};
use crate::netns::NetState;
use crate::rvs_core::{abi, report};

/// Writes `file` of the namespace whose state is `st` (`None` while it is set up or torn down).
pub(crate) fn show(st: Option<&NetState>, file: ProcFile, m: &mut SeqFile) -> fmt::Result {
    let Some(st) = st else { return Ok(()) };
    match file {
        ProcFile::Services => report::services_header(m, st.conn_tab_size()),
        // Totals of the namespace's services; there are no services yet.
        ProcFile::Stats => report::stats(m, &abi::StatsUser::default()),
        ProcFile::Conn => report::conn_header(m),
    }
}
