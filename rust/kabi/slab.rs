// SPDX-License-Identifier: GPL-2.0

//! Slab caches for fixed-size objects.
//!
//! C header: [`include/linux/slab.h`](srctree/include/linux/slab.h)

use core::marker::PhantomData;
use core::ptr::NonNull;

use kernel::bindings;
use kernel::prelude::*;
use kernel::str::CStr;

use super::glue;

/// A `kmem_cache` sized and aligned for objects of type `T`.
///
/// # Invariants
///
/// `cache` was returned by `kmem_cache_create` and is destroyed only by `Drop`.
pub(crate) struct KmemCache<T> {
    cache: NonNull<bindings::kmem_cache>,
    _type: PhantomData<T>,
}

impl<T> KmemCache<T> {
    /// Creates a cache named `name` (shown in /proc/slabinfo).
    pub(crate) fn new(name: &'static CStr) -> Result<Self> {
        let size = u32::try_from(core::mem::size_of::<T>()).map_err(|_| EINVAL)?;
        let align = u32::try_from(core::mem::align_of::<T>()).map_err(|_| EINVAL)?;
        // SAFETY: `name` is a NUL-terminated string that lives for the module's lifetime, as
        // the cache must not outlive it (the cache is dropped at module exit at the latest).
        let cache = unsafe { glue::rvs_glue_kmem_cache_create(name.as_char_ptr(), size, align) };
        // INVARIANT: a non-NULL return is a live cache owned by us.
        NonNull::new(cache)
            .map(|cache| Self {
                cache,
                _type: PhantomData,
            })
            .ok_or(ENOMEM)
    }

    /// Size in bytes of one object of the cache, as the slab allocator rounds it.
    pub(crate) fn object_size(&self) -> u32 {
        // SAFETY: the invariant guarantees a live cache.
        unsafe { bindings::kmem_cache_size(self.cache.as_ptr()) }
    }
}

impl<T> Drop for KmemCache<T> {
    fn drop(&mut self) {
        // SAFETY: by the invariant the cache is live and this is its only destruction; every
        // object of it was freed before its owner (the connection table) dropped it.
        unsafe { bindings::kmem_cache_destroy(self.cache.as_ptr()) }
    }
}

// SAFETY: a `kmem_cache` may be used and destroyed from any thread.
unsafe impl<T> Send for KmemCache<T> {}
// SAFETY: the slab allocator serialises concurrent use of one cache internally.
unsafe impl<T> Sync for KmemCache<T> {}

impl<T> KmemCache<T> {
    /// Allocates an object in atomic context and moves `value` into it.
    pub(crate) fn alloc_atomic(&self, value: T) -> Option<NonNull<T>> {
        // SAFETY: the invariant guarantees a live cache sized and aligned for `T`.
        let p = unsafe { glue::rvs_glue_kmem_cache_alloc_atomic(self.cache.as_ptr()) };
        let p = NonNull::new(p.cast::<T>())?;
        // SAFETY: `p` is a fresh, suitably sized and aligned object of the cache.
        unsafe { p.as_ptr().write(value) };
        Some(p)
    }
}
