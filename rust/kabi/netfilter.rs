// SPDX-License-Identifier: GPL-2.0

//! rvs's netfilter hooks: the C trampolines of `rvs_glue.c` call [`rvs_rust_hook`].
//!
//! C header: [`include/linux/netfilter.h`](srctree/include/linux/netfilter.h)

use kernel::bindings;

use super::glue;
use super::net::Net;
use super::skb::Skb;

/// Where a packet met rvs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hook {
    /// LOCAL_IN, priority 100: requests to virtual services.
    In,
    /// FORWARD, priority 100: replies from NAT real servers.
    Out,
    /// FORWARD, priority 99: ICMP errors about forwarded connections.
    ForwardIcmp,
    /// POST_ROUTING, priority NF_IP_PRI_NAT_SRC - 1: packets rvs already handled.
    PostRouting,
}

/// What happens to a packet after a hook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Continue through the stack.
    Accept,
    /// Free the packet.
    Drop,
    /// rvs passed the packet on (sent it); the stack forgets it.
    Stolen,
}

/// Entry point of every rvs hook.
#[no_mangle]
extern "C" fn rvs_rust_hook(
    hook: glue::rvs_hook,
    skb: *mut bindings::sk_buff,
    pf: u8,
    net: *mut bindings::net,
) -> kernel::ffi::c_uint {
    let hook = match hook {
        glue::rvs_hook_RVS_HOOK_IN => Hook::In,
        glue::rvs_hook_RVS_HOOK_OUT => Hook::Out,
        glue::rvs_hook_RVS_HOOK_FWD_ICMP => Hook::ForwardIcmp,
        _ => Hook::PostRouting,
    };
    // SAFETY: netfilter holds the namespace alive while its hooks run.
    let net = unsafe { Net::from_raw(net) };
    // SAFETY: the skb is live and owned by this hook call until it returns a verdict.
    let Some(skb) = (unsafe { Skb::from_raw(skb) }) else {
        return glue::NF_ACCEPT;
    };
    match crate::hooks::hook(hook, pf, net, skb) {
        Verdict::Accept => glue::NF_ACCEPT,
        Verdict::Drop => glue::NF_DROP,
        Verdict::Stolen => glue::NF_STOLEN,
    }
}
