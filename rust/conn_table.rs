// SPDX-License-Identifier: GPL-2.0

//! The connection table: a slab cache of entries and a hash table keyed with a random seed.
//!
//! One table serves every namespace, as ip_vs's does; entries carry their namespace. Lookups
//! will be RCU-protected and writers will take per-bucket locks; the data path (forwarding,
//! scheduling) creates the entries.

use kernel::c_str;
use kernel::prelude::*;

use crate::kabi::hash::HashBuckets;
use crate::kabi::slab::KmemCache;
use crate::rvs_core::conn::{self, Tuple};

/// One connection entry as the slab cache lays it out.
#[repr(C)]
pub(crate) struct ConnEntry {
    /// The bucket chain link.
    link: crate::kabi::hash::Link,
    /// Who talks to whom through which real server.
    tuple: Tuple,
}

/// The module's connection table.
pub(crate) struct ConnTable {
    buckets: HashBuckets,
    cache: KmemCache<ConnEntry>,
    #[expect(
        dead_code,
        reason = "keys the tuple hash of the data path, which is not built yet"
    )]
    seed: u32,
}

/// The bucket count the `conn_tab_bits` parameter asks for, or `EINVAL` with a message.
pub(crate) fn configured_buckets() -> Result<u32> {
    let bits = crate::kabi::param::conn_tab_bits();
    conn::buckets_for_bits(bits).ok_or_else(|| {
        pr_err!(
            "rvs: conn_tab_bits={} is outside {}..={}\n",
            bits,
            conn::MIN_TAB_BITS,
            conn::MAX_TAB_BITS
        );
        EINVAL
    })
}

impl ConnTable {
    /// Creates an empty table of `buckets` buckets.
    pub(crate) fn new(buckets: u32) -> Result<Self> {
        let cache = KmemCache::new(c_str!("rvs_conn"))?;
        let buckets = HashBuckets::new(buckets)?;
        Ok(Self {
            buckets,
            cache,
            seed: crate::kabi::random::random_u32(),
        })
    }

    /// Bytes the slab allocator spends on one entry.
    pub(crate) fn entry_size(&self) -> u32 {
        self.cache.object_size()
    }
}

impl Drop for ConnTable {
    fn drop(&mut self) {
        // Entries are freed through call_rcu: wait for those callbacks before the cache goes.
        crate::kabi::rcu::barrier();
        let left = self.buckets.occupied();
        if left != 0 {
            pr_err!(
                "rvs: {} of {} buckets still hold connections at exit\n",
                left,
                self.buckets.len()
            );
        }
    }
}
