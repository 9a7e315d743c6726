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

    /// Counts the buckets that hold at least one entry.
    pub(crate) fn occupied(&self) -> u32 {
        (0..self.buckets)
            // SAFETY: `b < buckets`, so the glue reads an initialised head of the table.
            .filter(|&b| !unsafe { glue::rvs_glue_hash_bucket_empty(self.heads.as_ptr(), b) })
            .count() as u32
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
