// SPDX-License-Identifier: GPL-2.0

//! RCU: read-side critical sections, grace periods, and an RCU-published box.
//!
//! C header: [`include/linux/rcupdate.h`](srctree/include/linux/rcupdate.h)

use core::marker::PhantomData;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};

use kernel::prelude::*;

use super::glue;

/// Waits for every `call_rcu` callback queued so far to finish.
pub(crate) fn barrier() {
    // SAFETY: `rcu_barrier` may be called from any sleepable context, as every caller is.
    unsafe { glue::rvs_glue_rcu_barrier() }
}

/// Waits until every RCU read-side critical section that started before has ended.
pub(crate) fn synchronize() {
    // SAFETY: called from sleepable process context only (control commands, teardown).
    unsafe { glue::rvs_glue_synchronize_rcu() }
}

/// An RCU read-side critical section; ends when dropped.
///
/// # Invariants
///
/// `rcu_read_lock` was called by this thread and is undone by `Drop`, on the same thread
/// (the guard is neither `Send` nor `Sync`).
pub(crate) struct Guard(PhantomData<*mut ()>);

/// Enters an RCU read-side critical section.
pub(crate) fn read_lock() -> Guard {
    // SAFETY: `rcu_read_lock` may be called in any context; `Drop` pairs it.
    unsafe { glue::rvs_glue_rcu_read_lock() };
    Guard(PhantomData)
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: by the invariant this thread holds the read lock taken in `read_lock`.
        unsafe { glue::rvs_glue_rcu_read_unlock() }
    }
}

/// The right to change a group of [`RcuBox`]es: one token per group, kept inside the lock that
/// serialises the group's writers. Every `RcuBox` must only ever be written with its group's
/// token; holding it mutably proves no other writer runs and no reference from
/// [`RcuBox::get_locked`] is alive.
pub(crate) struct Writer(());

impl Writer {
    /// The token of a new group.
    pub(crate) fn new() -> Self {
        Self(())
    }
}

/// A value published to RCU readers and replaced by copy-on-write.
///
/// Readers borrow the current value for the length of their [`Guard`]; a writer (serialised
/// by the owner's lock) publishes a new box with [`RcuBox::replace`], which waits for a grace
/// period before it hands the old one back.
///
/// # Invariants
///
/// `ptr` is null or comes from `KBox::into_raw`, and is owned by this value.
pub(crate) struct RcuBox<T> {
    ptr: AtomicPtr<T>,
}

impl<T> RcuBox<T> {
    /// Publishes `value`.
    pub(crate) fn new(value: KBox<T>) -> Self {
        Self {
            ptr: AtomicPtr::new(KBox::into_raw(value)),
        }
    }

    /// The current value, valid while `_guard` is held.
    pub(crate) fn get<'a>(&'a self, _guard: &'a Guard) -> Option<&'a T> {
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: by the invariant a non-null `p` is a live box; `replace` frees a replaced
        // box only after a grace period, and `_guard` keeps this read-side section open for
        // the lifetime of the reference.
        unsafe { p.as_ref() }
    }

    /// The current value, for the writer. The reference borrows the writer's token, so the
    /// writer cannot [`replace`](Self::replace) the value while it holds the reference.
    pub(crate) fn get_locked<'a>(&'a self, _writer: &'a Writer) -> Option<&'a T> {
        let p = self.ptr.load(Ordering::Acquire);
        // SAFETY: only `replace` frees a value, and it needs the writer's token mutably, which
        // the borrow of `_writer` rules out while the reference lives; by the `Writer` contract
        // no other token writes this box.
        unsafe { p.as_ref() }
    }

    /// Publishes `value`, waits for readers of the old value to finish, and returns it.
    /// Sleeps.
    pub(crate) fn replace(&self, _writer: &mut Writer, value: KBox<T>) -> Option<KBox<T>> {
        let old = self.ptr.swap(KBox::into_raw(value), Ordering::AcqRel);
        if old.is_null() {
            return None;
        }
        synchronize();
        // SAFETY: `old` came from `KBox::into_raw` (invariant) and, after the grace period,
        // no reader holds a reference to it.
        Some(unsafe { KBox::from_raw(old) })
    }
}

impl<T> Drop for RcuBox<T> {
    fn drop(&mut self) {
        let p = self.ptr.swap(ptr::null_mut(), Ordering::AcqRel);
        if !p.is_null() {
            // SAFETY: `p` came from `KBox::into_raw`; the owner drops an `RcuBox` only when
            // no reader can reach it any more (it was unpublished a grace period ago).
            drop(unsafe { KBox::from_raw(p) });
        }
    }
}

// SAFETY: the box owns a `T`; readers on other threads only get `&T`.
unsafe impl<T: Send + Sync> Send for RcuBox<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for RcuBox<T> {}
