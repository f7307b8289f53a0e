//! Where the server's simulations run: one rayon pool, shared in turns so that every
//! request's run advances and a preview never waits for a whole huge run.

use std::sync::{Condvar, Mutex, MutexGuard};

/// Locks a mutex, also after a panic elsewhere (the data are caches: still usable).
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where simulations run: `pool`, one slice of `slice` trials per turn of `turns`.
#[derive(Clone, Copy)]
pub struct Runner<'a> {
    /// The simulation pool.
    pub pool: &'a rayon::ThreadPool,
    /// Its turns.
    pub turns: &'a Turns,
    /// Trials simulated per turn.
    pub slice: u64,
}

/// Turns on the simulation pool, first come first served. A run simulates one slice of its
/// trials per turn, then queues again behind whoever came meanwhile: every request's run
/// advances, and a preview waits for at most one slice of each run ahead of it, never for a
/// whole huge run (rayon alone would finish the run that holds the workers first).
#[derive(Debug, Default)]
pub struct Turns {
    /// The next ticket to hand out and the ticket being served.
    queue: Mutex<(u64, u64)>,
    served: Condvar,
}

/// A turn on the pool, held until dropped.
pub struct Turn<'a>(&'a Turns);

impl Turns {
    /// Waits for a turn.
    pub fn take(&self) -> Turn<'_> {
        let mut queue = lock(&self.queue);
        let ticket = queue.0;
        queue.0 += 1;
        while queue.1 != ticket {
            queue = self
                .served
                .wait(queue)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        lock(&self.0.queue).1 += 1;
        self.0.served.notify_all();
    }
}
