// SPDX-License-Identifier: GPL-2.0

//! A hash table of slab-allocated entries: lockless RCU lookups, writers serialised per bucket
//! by a lock array, entries freed after a grace period. This is the shape of ip_vs's
//! connection table (`hlist_*_rcu` chains, `call_rcu` to free).
//!
//! C header: [`include/linux/rculist.h`](srctree/include/linux/rculist.h)

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::bindings;
use kernel::prelude::*;
use kernel::str::CStr;

use super::glue;
use super::hash::{HashBuckets, Link, RcuHead};
use super::rcu::Guard;
use super::slab::KmemCache;
use super::sync::LockArray;

/// An entry as the slab lays it out: the chain link first, then the RCU head, then the value.
#[repr(C)]
struct Node<T> {
    link: Link,
    rcu: RcuHead,
    value: T,
}

/// Locks of the lock array: 2^8 cache lines' worth is plenty for 2 to 64 CPUs.
const LOCKS: u32 = 256;

/// The table.
///
/// # Invariants
///
/// Every link in `buckets` is the `link` of a live `Node<T>` allocated from `cache`; a node is
/// unlinked only under its bucket's lock and freed only a grace period after (by
/// [`free_node`]); on drop every node is unlinked and freed before `cache` is destroyed.
pub(crate) struct RcuTable<T: Send + Sync> {
    buckets: HashBuckets,
    locks: LockArray,
    cache: KmemCache<Node<T>>,
}

/// Frees a node a grace period after it was unlinked: drops its value, returns its memory.
unsafe extern "C" fn free_node<T>(head: *mut bindings::callback_head) {
    let off = core::mem::offset_of!(Node<T>, rcu);
    // SAFETY: `head` is the `rcu` field of a `Node<T>` queued by `RcuTable::retain`, so the
    // node starts `off` bytes before it.
    let node = unsafe { head.byte_sub(off) }.cast::<Node<T>>();
    // SAFETY: the node is initialised, unlinked a grace period ago, and nothing else refers to
    // it; its value is dropped exactly once, here.
    unsafe { core::ptr::drop_in_place(core::ptr::addr_of_mut!((*node).value)) };
    // SAFETY: the node came from a kmem_cache, whose objects `kfree` accepts (6.4+); the cache
    // outlives this callback because the table waits with `rcu_barrier` before destroying it.
    unsafe { bindings::kfree(node.cast()) };
}

impl<T: Send + Sync> RcuTable<T> {
    /// Creates an empty table of `buckets` (a power of two) chains, with its slab cache `name`.
    pub(crate) fn new(name: &'static CStr, buckets: u32) -> Result<Self> {
        let cache = KmemCache::new(name)?;
        let buckets = HashBuckets::new(buckets)?;
        let locks = LockArray::new(LOCKS.min(buckets.len()))?;
        Ok(Self {
            buckets,
            locks,
            cache,
        })
    }

    /// The number of buckets.
    pub(crate) fn buckets(&self) -> u32 {
        self.buckets.len()
    }

    /// Bytes the slab spends on one entry.
    pub(crate) fn entry_size(&self) -> u32 {
        self.cache.object_size()
    }

    /// Adds `value` to `bucket` (taken modulo the bucket count) and returns it for the rest of
    /// the read-side section; `None` when memory is short. Callable from softirq.
    pub(crate) fn insert<'g>(&'g self, _guard: &'g Guard, bucket: u32, value: T) -> Option<&'g T> {
        let bucket = bucket & self.buckets.len().wrapping_sub(1);
        let node = self.cache.alloc_atomic(Node {
            link: Link::new(),
            rcu: RcuHead::new(),
            value,
        })?;
        let _lock = self.locks.lock(bucket);
        // SAFETY: `bucket` is in range; its lock is held; the node is new, in no chain, and is
        // freed only through `retain`, a grace period after it leaves the chain.
        unsafe { self.buckets.add_rcu(bucket, &(*node.as_ptr()).link) };
        // SAFETY: the node stays allocated at least until `_guard` ends (see above).
        Some(unsafe { &(*node.as_ptr()).value })
    }

    /// The entries of `bucket`, for the length of the read-side section.
    pub(crate) fn iter<'g>(&'g self, _guard: &'g Guard, bucket: u32) -> Iter<'g, T> {
        let bucket = bucket & self.buckets.len().wrapping_sub(1);
        // SAFETY: `bucket` is in range and `_guard` keeps an RCU read-side section open for 'g.
        let next = unsafe { self.buckets.first_rcu(bucket) };
        Iter {
            next,
            _guard: PhantomData,
            _table: PhantomData,
        }
    }

    /// Under `bucket`'s lock, removes every entry for which `keep` says false; those are
    /// freed after a grace period. Returns how many were removed.
    pub(crate) fn retain(&self, bucket: u32, mut keep: impl FnMut(&T) -> bool) -> u32 {
        let bucket = bucket & self.buckets.len().wrapping_sub(1);
        let _lock = self.locks.lock(bucket);
        let mut removed = 0u32;
        // SAFETY: `bucket` is in range and its writer lock is held.
        let mut p = unsafe { self.buckets.first_locked(bucket) };
        while let Some(link) = NonNull::new(p.cast_mut()) {
            let node = link.as_ptr().cast::<Node<T>>();
            // SAFETY: by the invariant the link is the first field of a live node (repr(C)),
            // which stays live while it is in the chain and we hold the lock.
            let node = unsafe { &*node };
            // SAFETY: the lock is held, so the chain cannot change under us.
            p = unsafe { node.link.next_locked() };
            if !keep(&node.value) {
                // SAFETY: the node is in this bucket's chain and its lock is held.
                unsafe { node.link.del_rcu() };
                // SAFETY: the node is now unreachable for new readers and queued once; it
                // stays allocated until `free_node` runs after the grace period.
                unsafe {
                    glue::rvs_glue_call_rcu(node.rcu.as_ptr(), Some(free_node::<T>));
                }
                removed = removed.saturating_add(1);
            }
        }
        removed
    }
}

impl<T: Send + Sync> Drop for RcuTable<T> {
    fn drop(&mut self) {
        for b in 0..self.buckets.len() {
            self.retain(b, |_| false);
        }
        // Wait for every `free_node` before the cache goes (it is dropped after this).
        super::rcu::barrier();
    }
}

/// The entries of one bucket, in an RCU read-side section.
pub(crate) struct Iter<'g, T> {
    next: *const Link,
    _guard: PhantomData<&'g Guard>,
    _table: PhantomData<&'g T>,
}

impl<'g, T: 'g> Iterator for Iter<'g, T> {
    type Item = &'g T;

    fn next(&mut self) -> Option<&'g T> {
        let link = NonNull::new(self.next.cast_mut())?;
        // SAFETY: the link belongs to a node that RCU keeps allocated while the guard is held
        // (the table's invariant); `Link` is the node's first field.
        let node = unsafe { &*link.as_ptr().cast::<Node<T>>() };
        // SAFETY: as above; the read-side section is still open.
        self.next = unsafe { node.link.next_rcu() };
        Some(&node.value)
    }
}
