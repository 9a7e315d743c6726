// SPDX-License-Identifier: GPL-2.0

//! The netfilter hooks.
//!
//! rvs hooks IPv4 and IPv6 where ip_vs's seed did: LOCAL_IN at priority 100 (requests to
//! virtual services), FORWARD at 100 (NAT replies) and 99 (ICMP errors), and POST_ROUTING at
//! NF_IP_PRI_NAT_SRC - 1 (so netfilter NAT leaves packets rvs handled alone). With no virtual
//! service able to exist yet, every packet passes unchanged.

use crate::kabi::net::Net;
use crate::kabi::netfilter::{Hook, SkBuff, Verdict};

/// Decides the fate of `skb`, which met rvs at `hook` in `net` (address family `pf`).
pub(crate) fn hook(_hook: Hook, _pf: u8, _net: &Net, _skb: &SkBuff) -> Verdict {
    Verdict::Accept
}
