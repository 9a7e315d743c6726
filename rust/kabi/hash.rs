// SPDX-License-Identifier: GPL-2.0

//! A table of `hlist_head` buckets, for RCU hash tables.
//!
//! C header: [`include/linux/list.h`](srctree/include/linux/list.h)

use core::ptr::NonNull;

use kernel::bindings;
use kernel::prelude::*;

use super::glue;

/// An array of `buckets` initialised `hlist_head`s, allocated with `kvmalloc`.
///
/// # Invariants
///
/// `heads` points at `buckets` initialised heads, freed only by `Drop`.
pub(crate) struct HashBuckets {
    heads: NonNull<bindings::hlist_head>,
    buckets: u32,
}

impl HashBuckets {
    /// Allocates `buckets` empty buckets.
    pub(crate) fn new(buckets: u32) -> Result<Self> {
        // SAFETY: any count is acceptable; the glue returns NULL on failure.
        let heads = unsafe { glue::rvs_glue_hash_alloc(buckets) };
        // INVARIANT: the glue initialised every head of a non-NULL table.
        NonNull::new(heads)
            .map(|heads| Self { heads, buckets })
            .ok_or(ENOMEM)
    }

    /// The number of buckets.
    pub(crate) fn len(&self) -> u32 {
        self.buckets
    }
}

impl Drop for HashBuckets {
    fn drop(&mut self) {
        // SAFETY: by the invariant `heads` came from `rvs_glue_hash_alloc` and is freed once.
        unsafe { glue::rvs_glue_hash_free(self.heads.as_ptr()) }
    }
}

// SAFETY: the buckets are plain memory; the users of the table provide the locking.
unsafe impl Send for HashBuckets {}
// SAFETY: as above: readers use RCU, writers the table's locks.
unsafe impl Sync for HashBuckets {}

/// The link of an entry in one bucket's chain (`struct hlist_node`), embedded in the entry.
#[repr(transparent)]
pub(crate) struct Link(kernel::types::Opaque<bindings::hlist_node>);

impl HashBuckets {
    /// Adds `link` at the head of `bucket` for RCU readers.
    ///
    /// # Safety
    ///
    /// `bucket < self.len()`; the caller holds the writer lock of the bucket; `link` is not in
    /// any chain and stays valid until removed and a grace period has passed.
    pub(crate) unsafe fn add_rcu(&self, bucket: u32, link: &Link) {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_add_rcu(self.heads.as_ptr(), bucket, link.0.get()) }
    }

    /// The first link of `bucket`, for the writer that holds its lock; or null.
    ///
    /// # Safety
    ///
    /// `bucket < self.len()` and the caller holds the bucket's writer lock.
    pub(crate) unsafe fn first_locked(&self, bucket: u32) -> *const Link {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_first_locked(self.heads.as_ptr(), bucket) }
            .cast_const()
            .cast()
    }

    /// The first link of `bucket`, or null.
    ///
    /// # Safety
    ///
    /// `bucket < self.len()`, and the caller is in an RCU read-side section; the link stays
    /// valid only as long as that lasts.
    pub(crate) unsafe fn first_rcu(&self, bucket: u32) -> *const Link {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_first_rcu(self.heads.as_ptr(), bucket) }
            .cast_const()
            .cast()
    }
}

impl Link {
    /// Removes this link from its chain; RCU readers that are on it may still follow it.
    ///
    /// # Safety
    ///
    /// The link is in a chain and the caller holds that chain's writer lock.
    pub(crate) unsafe fn del_rcu(&self) {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_del_rcu(self.0.get()) }
    }

    /// The next link of the chain, or null.
    ///
    /// # Safety
    ///
    /// As [`HashBuckets::first_rcu`]: the caller is in an RCU read-side section, which keeps
    /// the link valid.
    pub(crate) unsafe fn next_rcu(&self) -> *const Link {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_next_rcu(self.0.get()) }
            .cast_const()
            .cast()
    }

    /// The next link of the chain, for the writer that holds the chain's lock; or null.
    ///
    /// # Safety
    ///
    /// The caller holds the chain's writer lock.
    pub(crate) unsafe fn next_locked(&self) -> *const Link {
        // SAFETY: guaranteed by the caller.
        unsafe { glue::rvs_glue_hash_next_locked(self.0.get()) }
            .cast_const()
            .cast()
    }

    /// An unlinked link, to embed in a new entry.
    pub(crate) fn new() -> Self {
        Self(kernel::types::Opaque::uninit())
    }
}

/// The `rcu_head` of an entry freed after a grace period, embedded in the entry.
#[repr(transparent)]
pub(crate) struct RcuHead(kernel::types::Opaque<bindings::callback_head>);

impl RcuHead {
    /// A head to embed in a new entry.
    pub(crate) fn new() -> Self {
        Self(kernel::types::Opaque::uninit())
    }

    /// The raw head, for `call_rcu`.
    pub(crate) fn as_ptr(&self) -> *mut bindings::callback_head {
        self.0.get()
    }
}
