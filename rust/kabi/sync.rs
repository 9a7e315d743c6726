// SPDX-License-Identifier: GPL-2.0

//! Spinlocks shared between process context and softirq: `spin_lock_bh`.
//!
//! The 6.12 kernel crate offers only plain `spin_lock`, which deadlocks when a softirq on the
//! same CPU (a netfilter hook) wants a lock that process context (a control command) holds.
//! This backend plugs `spin_lock_bh` into the crate's generic [`Lock`].
//!
//! C header: [`include/linux/spinlock.h`](srctree/include/linux/spinlock.h)

use kernel::bindings;
use kernel::sync::lock::{Backend, Lock};

use super::glue;

/// A spinlock that disables bottom halves while held.
pub(crate) type SpinLockBh<T> = Lock<T, SpinLockBhBackend>;

/// Creates a [`SpinLockBh`] initialiser with a lock class of its own call site.
macro_rules! new_spinlock_bh {
    ($inner:expr, $name:literal) => {
        $crate::kabi::sync::SpinLockBh::new(
            $inner,
            kernel::c_str!($name),
            kernel::static_lock_class!(),
        )
    };
}
pub(crate) use new_spinlock_bh;

/// The `spin_lock_bh` backend of [`Lock`].
pub(crate) struct SpinLockBhBackend;

// SAFETY: `init` initialises the spinlock before any other call; `lock` and `unlock` pair
// `spin_lock_bh` and `spin_unlock_bh` on it, which give mutual exclusion.
unsafe impl Backend for SpinLockBhBackend {
    type State = bindings::spinlock_t;
    type GuardState = ();

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const kernel::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: the caller passes valid memory for a spinlock, a static name and a static key.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        // SAFETY: the caller passes an initialised lock.
        unsafe { glue::rvs_glue_spin_lock_bh(ptr) }
    }

    unsafe fn unlock(ptr: *mut Self::State, _guard_state: &Self::GuardState) {
        // SAFETY: the caller holds the lock, taken by `lock` above.
        unsafe { glue::rvs_glue_spin_unlock_bh(ptr) }
    }
}

/// A fixed array of `spin_lock_bh` locks, as ip_vs's connection-table lock array: bucket `b`
/// of a table is guarded by lock `b % len`.
///
/// # Invariants
///
/// `locks` points at `len` initialised spinlocks, freed only by `Drop`.
pub(crate) struct LockArray {
    locks: core::ptr::NonNull<bindings::spinlock_t>,
    len: u32,
}

/// Proof that one lock of a [`LockArray`] is held; unlocks on drop.
pub(crate) struct ArrayGuard<'a> {
    lock: *mut bindings::spinlock_t,
    _array: core::marker::PhantomData<&'a LockArray>,
}

impl LockArray {
    /// Allocates `len` (at least 1) initialised locks.
    pub(crate) fn new(len: u32) -> kernel::error::Result<Self> {
        let len = len.max(1);
        // SAFETY: any count is acceptable; the glue returns NULL on failure.
        let p = unsafe { glue::rvs_glue_locks_alloc(len) };
        // INVARIANT: non-NULL means `len` initialised locks.
        core::ptr::NonNull::new(p)
            .map(|locks| Self { locks, len })
            .ok_or(kernel::error::code::ENOMEM)
    }

    /// Takes the lock that guards `bucket`.
    pub(crate) fn lock(&self, bucket: u32) -> ArrayGuard<'_> {
        let i = bucket.checked_rem(self.len).unwrap_or(0) as usize;
        // SAFETY: `i < len`, so the pointer stays inside the array (invariant).
        let lock = unsafe { self.locks.as_ptr().add(i) };
        // SAFETY: `lock` is an initialised spinlock of the array.
        unsafe { glue::rvs_glue_spin_lock_bh(lock) };
        ArrayGuard {
            lock,
            _array: core::marker::PhantomData,
        }
    }
}

impl Drop for ArrayGuard<'_> {
    fn drop(&mut self) {
        // SAFETY: the guard exists only while `lock` is held by this thread.
        unsafe { glue::rvs_glue_spin_unlock_bh(self.lock) }
    }
}

impl Drop for LockArray {
    fn drop(&mut self) {
        // SAFETY: by the invariant the array came from `rvs_glue_locks_alloc`; no guard can
        // outlive the borrow of `self` it holds.
        unsafe { glue::rvs_glue_locks_free(self.locks.as_ptr()) }
    }
}

// SAFETY: the locks may be used and freed from any thread.
unsafe impl Send for LockArray {}
// SAFETY: taking a lock needs only a shared reference; the spinlocks serialise.
unsafe impl Sync for LockArray {}
