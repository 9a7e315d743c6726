// SPDX-License-Identifier: GPL-2.0

//! The text of /proc/net/rvs, rvs_stats and rvs_conn.

use core::fmt;

use crate::conn_table;
use crate::kabi::proc::{ProcFile, SeqFile};
use crate::kabi::rcu;
use crate::kabi::time;
use crate::netns::NetState;
use crate::rvs_core::report;

/// Writes `file` of the namespace whose state is `st` (`None` while it is set up or torn down).
pub(crate) fn show(st: Option<&NetState>, file: ProcFile, m: &mut SeqFile) -> fmt::Result {
    let Some(st) = st else { return Ok(()) };
    match file {
        ProcFile::Services => {
            report::services_header(m, st.conn_tab_size())?;
            let w = st.ctl.lock();
            let hz = u32::try_from(time::hz()).unwrap_or(u32::MAX);
            for s in st.services.get_locked(&w).map_or(&[][..], |l| l) {
                report::service_line(m, &s.user(), s.kind().name(), hz)?;
                for d in s.dest_list(&w) {
                    report::dest_line(m, &d.entry())?;
                }
            }
            Ok(())
        }
        ProcFile::Stats => report::stats(m, &st.tot_stats.to_user()),
        ProcFile::Conn => {
            report::conn_header(m)?;
            let guard = rcu::read_lock();
            let Some(t) = conn_table::table(&guard) else {
                return Ok(());
            };
            let mut res = Ok(());
            t.for_each_in(&guard, st.net_id, |c| {
                if res.is_ok() {
                    res = report::conn_line(
                        m,
                        &report::ConnRow {
                            af: c.af,
                            daf: c.dest.af,
                            protocol: u16::from(c.protocol),
                            caddr: &c.caddr,
                            vaddr: &c.vaddr,
                            daddr: &c.daddr,
                            cport: c.cport,
                            vport: c.vport,
                            dport: c.dport,
                            state: c.state_name(),
                            expires: c.expires_in(),
                        },
                    );
                }
            });
            res
        }
    }
}
