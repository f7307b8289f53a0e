//! The [`Backlog`] kernel in whole items: when the backlog, every period's budget and the bins
//! are whole items (a count history, a constant backlog, a fixed share that keeps counts
//! whole), a trial's items done is an exact integer, so the trial runs on integer counts and
//! records into the tables without binning or fixed-point conversion. It draws from the
//! trial's own stream exactly as [`Backlog::run`] does, so the statistics are the same bits
//! (held to it by the tests), only faster.

use super::super::rng::{BlockCursor, Purpose, stream};
use super::backlog::Backlog;
use super::tables::{Accumulator, Layout};

/// A [`Backlog`] whose work and budgets are whole items.
#[derive(Debug)]
pub struct WholeBacklog {
    /// The budget of each history value.
    budgets: Vec<u32>,
    /// Items to do.
    work: u32,
    /// Consecutive history periods drawn together.
    block: u32,
    seed: u64,
    /// Periods simulated at most.
    periods: usize,
}

/// Budgets and backlogs up to this many items (so sums of a chunk's counts fit in u64 and
/// every count is exact in the fixed-point sums).
const MOST_ITEMS: f64 = 1_000_000_000.0;

impl WholeBacklog {
    /// The whole-item kernel of `backlog` binned by `layout`, when its numbers allow it.
    pub(super) fn of(backlog: &Backlog, layout: &Layout) -> Option<WholeBacklog> {
        let whole = |x: f64| x.fract() == 0.0 && (0.0..=MOST_ITEMS).contains(&x);
        let work = backlog.work?;
        let usable = backlog.share.is_some()
            && backlog.stop_when_done
            && layout.width == 1.0
            && whole(work)
            && work >= 1.0
            && (work as usize) < layout.bins
            && u32::try_from(backlog.periods.len()).is_ok()
            && backlog.periods.iter().all(|&(_, budget)| whole(budget));
        usable.then(|| WholeBacklog {
            budgets: backlog.periods.iter().map(|&(_, b)| b as u32).collect(),
            work: work as u32,
            block: backlog.block,
            seed: backlog.seed,
            periods: backlog.scenario.periods,
        })
    }

    /// Runs trials `first..last` into `acc`.
    pub(super) fn run(&self, first: u64, last: u64, acc: &mut Accumulator, layout: &Layout) {
        // Items done by running trials, per row: summed in integers, added to the
        // fixed-point sums once (the same bits as adding each count).
        let mut sums = vec![0u64; acc.items.rows()];
        // Items done by the end of each period of one trial, reused from trial to trial.
        let mut path = vec![0u32; self.periods];
        for trial in first..last {
            let finished = self.simulate(trial, &mut path);
            self.record(finished, &path, acc, layout, &mut sums);
        }
        for (sum, &items) in acc.items.running_sums.iter_mut().zip(&sums) {
            sum.add_whole(items);
        }
    }

    /// Runs trial `trial` alone, recording nothing but the items done by the end of each
    /// period into `path` (so that the period loop holds only the trial's own values): the
    /// period it finishes in (0: not within the cap), before which `path` is filled.
    #[inline(always)]
    fn simulate(&self, trial: u64, path: &mut [u32]) -> usize {
        let mut capacity = stream(self.seed, trial, Purpose::Capacity, 0, 0);
        let len = self.budgets.len() as u32;
        let mut cursor = BlockCursor::default();
        let mut done = 0u32;
        for (t, items) in (1..).zip(path.iter_mut()) {
            let budget = self.budgets[cursor.next(&mut capacity, len, self.block) as usize];
            done += (self.work - done).min(budget);
            if done == self.work {
                return t;
            }
            *items = done;
        }
        0
    }

    /// Records a trial that finished in period `finished` (0: not within the cap), having
    /// done `path[t - 1]` items by the end of each period t before.
    #[inline(always)]
    fn record(
        &self,
        finished: usize,
        path: &[u32],
        acc: &mut Accumulator,
        layout: &Layout,
        sums: &mut Vec<u64>,
    ) {
        let running = if finished > 0 {
            finished - 1
        } else {
            self.periods
        };
        // The periods of a row (every stride-th) the trial was running at the end of.
        let rows = running / layout.stride;
        if rows > 0 {
            acc.items.grow(rows - 1);
            if rows > sums.len() {
                sums.resize(rows, 0);
            }
        }
        let stride = layout.stride;
        for (row, sum) in sums[..rows].iter_mut().enumerate() {
            let done = path[(row + 1) * stride - 1];
            acc.items.running[row * layout.bins + done as usize] += 1;
            *sum += u64::from(done);
        }
        // A trial done by the horizon counts its whole work there (`Accumulator::record`).
        let horizon = layout.horizon_period;
        let at_horizon = if (1..=running).contains(&horizon) {
            path[horizon - 1]
        } else {
            0
        };
        acc.record(
            layout,
            finished,
            f64::from(self.work),
            f64::from(at_horizon),
        );
    }
}
