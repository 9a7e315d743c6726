// SPDX-License-Identifier: GPL-2.0

//! A module-wide object published to RCU readers: hooks, control commands and /proc reach it
//! through a static slot while the module holds its [`Publication`].

use core::ops::Deref;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;

use super::rcu::{self, Guard};

/// A static slot that holds a published object, or nothing.
///
/// # Invariants
///
/// `ptr` is null or points at the object of the one live [`Publication`] of this slot.
pub(crate) struct Global<T> {
    ptr: AtomicPtr<T>,
}

impl<T: Send + Sync> Global<T> {
    /// An empty slot.
    pub(crate) const fn new() -> Self {
        Self {
            ptr: AtomicPtr::new(core::ptr::null_mut()),
        }
    }

    /// The published object, for the length of a read-side section.
    pub(crate) fn get<'g>(&'g self, _guard: &'g Guard) -> Option<&'g T> {
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: by the invariant a non-null `p` is the object of a live publication, whose
        // drop clears the slot and waits for a grace period before the object is freed; the
        // guard keeps this read-side section open for the reference's lifetime.
        unsafe { p.as_ref() }
    }

    /// Publishes `value` in this slot until the returned publication is dropped.
    pub(crate) fn publish(&'static self, value: Pin<KBox<T>>) -> Result<Publication<T>> {
        let p: *const T = &*value;
        if self
            .ptr
            .compare_exchange(
                core::ptr::null_mut(),
                p.cast_mut(),
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_err()
        {
            return Err(EBUSY);
        }
        // INVARIANT: the slot points at `value`, owned by the publication.
        Ok(Publication { slot: self, value })
    }
}

/// An object published in a [`Global`]; unpublishes it (and waits for readers) on drop.
pub(crate) struct Publication<T: Send + Sync + 'static> {
    slot: &'static Global<T>,
    value: Pin<KBox<T>>,
}

impl<T: Send + Sync> Deref for Publication<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Send + Sync> Drop for Publication<T> {
    fn drop(&mut self) {
        self.slot
            .ptr
            .store(core::ptr::null_mut(), Ordering::Release);
        // Readers that found the object finish before `value` is dropped after this.
        rcu::synchronize();
    }
}
