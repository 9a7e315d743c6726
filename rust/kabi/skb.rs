// SPDX-License-Identifier: GPL-2.0

//! Socket buffers as a netfilter hook owns them.
//!
//! C header: [`include/linux/skbuff.h`](srctree/include/linux/skbuff.h)

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::bindings;

use super::glue;
use super::net::Net;
use super::route::Route;

/// A socket buffer that a hook call owns until it returns a verdict or hands the buffer on.
///
/// Offsets and lengths of this type count from the network (IP) header.
///
/// # Invariants
///
/// `skb` is a live socket buffer that this hook call owns exclusively for `'a`.
pub(crate) struct Skb<'a> {
    skb: NonNull<bindings::sk_buff>,
    _owned: PhantomData<&'a mut bindings::sk_buff>,
}

impl<'a> Skb<'a> {
    /// Takes the socket buffer of a hook call.
    ///
    /// # Safety
    ///
    /// `skb` is live and owned by the caller's hook call for `'a`; nothing else uses it then.
    pub(crate) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: guaranteed by the caller.
        NonNull::new(skb).map(|skb| Self {
            skb,
            _owned: PhantomData,
        })
    }

    fn raw(&self) -> *mut bindings::sk_buff {
        self.skb.as_ptr()
    }

    /// Bytes from the network header to the end.
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: the invariant gives a live skb.
        unsafe { glue::rvs_glue_skb_len(self.raw()) }
    }

    /// Whether the packet is addressed to this host and has a route (ip_vs's test).
    pub(crate) fn for_host(&self) -> bool {
        // SAFETY: the invariant gives a live skb.
        unsafe { glue::rvs_glue_skb_for_host(self.raw()) }
    }

    /// Whether rvs (or ip_vs) already handled this packet.
    pub(crate) fn handled(&self) -> bool {
        // SAFETY: the invariant gives a live skb.
        unsafe { glue::rvs_glue_skb_handled(self.raw()) }
    }

    /// Marks the packet handled: later hooks let it pass.
    pub(crate) fn set_handled(&mut self) {
        // SAFETY: the invariant gives a live skb that this call owns.
        unsafe { glue::rvs_glue_skb_set_handled(self.raw()) }
    }

    /// Copies the first bytes of the packet into `buf`; returns how many.
    pub(crate) fn copy_head(&self, buf: &mut [u8]) -> usize {
        let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
        // SAFETY: the invariant gives a live skb; `buf` is writable for `len` bytes.
        unsafe { glue::rvs_glue_skb_copy_head(self.raw(), buf.as_mut_ptr(), len) as usize }
    }

    /// Makes the first `len` bytes linear and writable and returns them; `None` when the packet
    /// is shorter or memory is short.
    pub(crate) fn writable(&mut self, len: usize) -> Option<&mut [u8]> {
        if len > self.len() as usize {
            return None;
        }
        // SAFETY: the invariant gives a live skb that this call owns; `len` fits a u32 as it is
        // at most `self.len()`.
        let p = unsafe { glue::rvs_glue_skb_writable(self.raw(), len as u32) };
        let p = NonNull::new(p)?;
        // SAFETY: the glue made `len` bytes from the network header linear and private to this
        // skb; `&mut self` keeps any other access away while the slice lives.
        Some(unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), len) })
    }

    /// Whether the transport checksum is left to the device (CHECKSUM_PARTIAL).
    pub(crate) fn csum_partial(&self) -> bool {
        // SAFETY: the invariant gives a live skb.
        unsafe { glue::rvs_glue_skb_csum_partial(self.raw()) }
    }

    /// Records that headers were rewritten with their checksums updated.
    pub(crate) fn csum_mangled(&mut self) {
        // SAFETY: the invariant gives a live skb that this call owns.
        unsafe { glue::rvs_glue_skb_csum_mangled(self.raw()) }
    }

    /// Whether the packet (or each of its GSO segments) fits `mtu`.
    pub(crate) fn fits_mtu(&self, mtu: u32) -> bool {
        // SAFETY: the invariant gives a live skb.
        unsafe { glue::rvs_glue_skb_fits_mtu(self.raw(), mtu) }
    }

    /// Detaches conntrack: netfilter NAT leaves the packet alone.
    pub(crate) fn untrack(&mut self) {
        // SAFETY: the invariant gives a live skb that this call owns.
        unsafe { glue::rvs_glue_skb_untrack(self.raw()) }
    }

    /// Sends an ICMP (`v6`: ICMPv6) error about this packet to its source.
    pub(crate) fn icmp_send(&self, v6: bool, kind: u8, code: u8, info: u32) {
        // SAFETY: the invariant gives a live skb; icmp_send only reads it.
        unsafe { glue::rvs_glue_icmp_send(self.raw(), v6, kind, code, info) }
    }

    /// Gives the packet `route` in place of its current one.
    pub(crate) fn set_route(&mut self, route: Route) {
        let dst = route.into_raw();
        // SAFETY: the invariant gives a live skb that this call owns; `dst` carries the
        // reference that `route` owned, which the skb now owns.
        unsafe { glue::rvs_glue_skb_set_dst(self.raw(), dst) }
    }

    /// Makes room for an outer header of `hdr_len` bytes (IPv6 when `outer_v6`) in front of
    /// the packet, whose route must already be set, and returns it to be filled in.
    pub(crate) fn encap(
        &mut self,
        hdr_len: usize,
        outer_v6: bool,
        inner_proto: u8,
    ) -> Option<&mut [u8]> {
        let len = u32::try_from(hdr_len).ok()?;
        // SAFETY: the invariant gives a live skb that this call owns.
        let p = unsafe { glue::rvs_glue_skb_encap(self.raw(), len, outer_v6, inner_proto) };
        let p = NonNull::new(p)?;
        // SAFETY: the glue pushed `hdr_len` writable bytes at the new network header.
        Some(unsafe { core::slice::from_raw_parts_mut(p.as_ptr(), hdr_len) })
    }

    /// Marks the packet handled and sends it out through LOCAL_OUT and its route.
    pub(crate) fn send(self, net: &Net, v6: bool) {
        // SAFETY: the invariant gives a live skb whose ownership passes to the stack here;
        // `self` is consumed, so nothing in rvs touches it again.
        unsafe { glue::rvs_glue_send(net.as_raw(), v6, self.raw()) }
    }
}
