//! The hand-written kernels of `fulcrum forecast`'s work on the W1 history, in one home for
//! `benches/forecast.rs` (timed beside the engine in one process) and
//! `examples/lanes_bound.rs` (the lanes kernel as a whole process of its own, to time against
//! the whole `fulcrum forecast`).
//!
//! Every kernel draws what the engine draws (trial t's capacity stream,
//! `stream_key(SEED, t, Capacity, 0, 0)`, one index per block of periods through the same
//! inlined `rng::index`, blocks continuing circularly through the history as
//! `rng::BlockCursor` does), simulates up to the engine's cap and, when `FULL`, records what
//! the engine records: the finish period, items done per period of running trials (whole-item
//! bins and their sum), finished trials per period, items done by the horizon (bins and sum).
//! [`check`] holds each kernel's numbers to the engine's.

use rayon::prelude::*;

use fulcrum::model::throughput::Method;
use fulcrum::model::{PeriodLength, Throughput};
use fulcrum::simulate::forecast::{self, Forecast, ForecastResults};
use fulcrum::simulate::rng::{BlockCursor, Purpose, Stream, stream_key};

use rand::SeedableRng;

/// The master seed (`fulcrum forecast`'s default).
pub const SEED: u64 = 42;
/// Items in the backlog.
pub const BACKLOG: u32 = 200;
/// The period "how many by then?" is asked at.
pub const HORIZON: usize = 26;
/// The history: items finished in each of 26 periods.
pub const W1: [u32; 26] = [
    3, 5, 2, 6, 4, 4, 7, 1, 5, 3, 6, 4, 2, 5, 8, 3, 4, 6, 5, 2, 4, 7, 3, 5, 4, 6,
];
/// Bins of the items-done tables: 0..=BACKLOG whole items.
const BINS: usize = BACKLOG as usize + 1;
/// Trials per unit of parallel work (the engine's).
const CHUNK: u64 = 1024;
/// Trials per lane group.
const LANES: usize = 8;

/// `fulcrum forecast --history W1 --backlog 200 --horizon 26` read by `method`, with periods
/// of `period` (which sets the calibrated method's block length).
pub fn question(method: Method, period: PeriodLength) -> Forecast {
    let history: Vec<f64> = W1.map(f64::from).to_vec();
    let throughput = Throughput::new(history.into(), method, period.per_year());
    let forecast =
        Forecast::from_throughput(throughput, f64::from(BACKLOG), None, Some(HORIZON), period)
            .expect("W1 forecasts");
    let sampled: Vec<f64> = W1.map(f64::from).to_vec();
    assert_eq!(
        forecast.throughput.sampled(),
        sampled,
        "all of W1 is resampled"
    );
    forecast
}

/// What a kernel needs of the question besides W1: periods simulated at most (the engine's
/// cap) and consecutive periods drawn together.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub cap: usize,
    pub block: u32,
}

impl Shape {
    pub fn of(forecast: &Forecast) -> Shape {
        Shape {
            cap: forecast.cap,
            block: forecast.throughput.block.max(1),
        }
    }
}

/// [`LANES`] Xoshiro256++ generators in structure-of-arrays form, each exactly the stream
/// `Stream::seed_from_u64` gives for its key (checked with the engine's numbers by [`check`]).
#[derive(Clone, Debug)]
struct Lanes {
    s: [[u64; LANES]; 4],
}

impl Lanes {
    /// The streams `Stream::seed_from_u64(keys[l])` would be.
    fn seeded(keys: [u64; LANES]) -> Lanes {
        let mut s = [[0; LANES]; 4];
        for (l, &key) in keys.iter().enumerate() {
            // rand_xoshiro fills the state from SplitMix64 seeded with the key.
            let mut state = key;
            for word in &mut s {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                word[l] = z ^ (z >> 31);
            }
        }
        Lanes { s }
    }

    /// The next 64 bits of every lane.
    #[inline(always)]
    fn next_u64(&mut self) -> [u64; LANES] {
        std::array::from_fn(|l| self.next_lane(l))
    }

    /// The next 64 bits of lane `l` alone.
    #[inline(always)]
    fn next_lane(&mut self, l: usize) -> u64 {
        let [s0, s1, s2, s3] = &mut self.s;
        let out = s0[l]
            .wrapping_add(s3[l])
            .rotate_left(23)
            .wrapping_add(s0[l]);
        let t = s1[l] << 17;
        s2[l] ^= s0[l];
        s3[l] ^= s1[l];
        s1[l] ^= s2[l];
        s0[l] ^= s3[l];
        s2[l] ^= t;
        s3[l] = s3[l].rotate_left(45);
        out
    }

    /// An index below `len` (at most `u32::MAX`) in every lane: rand's `random_range(0..len)`
    /// for `usize` (a widening multiply of the upper 32 bits, with a second draw in the rare
    /// case it is biased).
    #[inline(always)]
    fn index(&mut self, len: u32) -> [u32; LANES] {
        let bits = self.next_u64();
        let mut hi = [0u32; LANES];
        let mut biased = false;
        let threshold = len.wrapping_neg();
        let mut lo = [0u32; LANES];
        for l in 0..LANES {
            let wide = (bits[l] >> 32) * u64::from(len);
            hi[l] = (wide >> 32) as u32;
            lo[l] = wide as u32;
            biased |= lo[l] > threshold;
        }
        if biased {
            for l in 0..LANES {
                if lo[l] > threshold {
                    let second = ((self.next_lane(l) >> 32) * u64::from(len)) >> 32;
                    hi[l] += u32::from(lo[l].checked_add(second as u32).is_none());
                }
            }
        }
        hi
    }
}

/// What the engine's forecast records, in integers.
pub struct Tables {
    /// Trials per finish period (0: not within the cap).
    pub finish: Vec<u64>,
    /// Running trials per period and items done, and the sum of their items done.
    running: Vec<u64>,
    running_sums: Vec<u64>,
    /// Items done by the horizon, and their sum.
    at_horizon: Vec<u64>,
    pub at_horizon_sum: u64,
}

impl Tables {
    fn new(shape: Shape, full: bool) -> Tables {
        let periods = if full { shape.cap } else { 0 };
        Tables {
            finish: vec![0; shape.cap + 1],
            running: vec![0; periods * BINS],
            running_sums: vec![0; periods],
            at_horizon: vec![0; if full { BINS } else { 0 }],
            at_horizon_sum: 0,
        }
    }

    fn merge(mut self, other: Tables) -> Tables {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.finish, &other.finish);
        add(&mut self.running, &other.running);
        add(&mut self.running_sums, &other.running_sums);
        add(&mut self.at_horizon, &other.at_horizon);
        self.at_horizon_sum += other.at_horizon_sum;
        self
    }

    /// Records a finished trial (finished items are the backlog, so the finish histogram
    /// holds the finished tables too).
    #[inline(always)]
    fn finish(&mut self, finished: usize, mut at_horizon: u32, full: bool) {
        self.finish[finished] += 1;
        if full {
            if finished > 0 && finished <= HORIZON {
                at_horizon = BACKLOG;
            }
            self.at_horizon[at_horizon as usize] += 1;
            self.at_horizon_sum += u64::from(at_horizon);
        }
    }
}

fn key(trial: u64) -> u64 {
    stream_key(SEED, trial, Purpose::Capacity, 0, 0)
}

/// One trial after another.
pub fn scalar<const FULL: bool>(shape: Shape, trials: u64) -> Tables {
    (0..trials.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || Tables::new(shape, FULL),
            |mut tables, chunk| {
                for trial in chunk * CHUNK..((chunk + 1) * CHUNK).min(trials) {
                    let mut capacity = Stream::seed_from_u64(key(trial));
                    let mut cursor = BlockCursor::default();
                    let (mut done, mut finished, mut at_horizon) = (0u32, 0, 0);
                    for t in 1..shape.cap + 1 {
                        let at = cursor.next(&mut capacity, W1.len() as u32, shape.block);
                        done += (BACKLOG - done).min(W1[at as usize]);
                        if FULL && t == HORIZON {
                            at_horizon = done;
                        }
                        if done == BACKLOG {
                            finished = t;
                            break;
                        }
                        if FULL {
                            tables.running[(t - 1) * BINS + done as usize] += 1;
                            tables.running_sums[t - 1] += u64::from(done);
                        }
                    }
                    tables.finish(finished, at_horizon, FULL);
                }
                tables
            },
        )
        .reduce(|| Tables::new(shape, FULL), Tables::merge)
}

/// Eight trials side by side, on the CPU's vector width when `WIDE` (AVX2, detected at run
/// time) or the portable baseline's (SSE2).
pub fn side_by_side<const FULL: bool, const WIDE: bool>(shape: Shape, trials: u64) -> Tables {
    (0..trials.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || Tables::new(shape, FULL),
            |mut tables, chunk| {
                let (first, last) = (chunk * CHUNK, ((chunk + 1) * CHUNK).min(trials));
                #[cfg(target_arch = "x86_64")]
                if WIDE && std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2.
                    unsafe { lanes_chunk_avx2::<FULL>(&mut tables, shape, first, last) };
                    return tables;
                }
                lanes_chunk::<FULL>(&mut tables, shape, first, last);
                tables
            },
        )
        .reduce(|| Tables::new(shape, FULL), Tables::merge)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lanes_chunk_avx2<const FULL: bool>(
    tables: &mut Tables,
    shape: Shape,
    first: u64,
    last: u64,
) {
    lanes_chunk::<FULL>(tables, shape, first, last);
}

/// Trials `first..last`, eight at a time. The lanes start their blocks together, so they
/// draw in the same periods: a block's later periods only step each lane's place on.
#[inline(always)]
fn lanes_chunk<const FULL: bool>(tables: &mut Tables, shape: Shape, mut first: u64, last: u64) {
    let len = W1.len() as u32;
    while first < last {
        let count = ((last - first) as usize).min(LANES);
        let mut lanes = Lanes::seeded(std::array::from_fn(|l| key(first + l as u64)));
        let mut done = [0u32; LANES];
        let mut finished = [0usize; LANES];
        let mut at_horizon = [0u32; LANES];
        let mut at = [0u32; LANES];
        let mut left = 0;
        let mut running: u32 = (1 << count) - 1;
        for t in 1..shape.cap + 1 {
            if left == 0 {
                at = lanes.index(len);
                left = shape.block;
            } else {
                for place in &mut at {
                    *place = if *place + 1 == len { 0 } else { *place + 1 };
                }
            }
            left -= 1;
            for l in 0..LANES {
                done[l] += (BACKLOG - done[l]).min(W1[at[l] as usize]);
            }
            if FULL && t == HORIZON {
                at_horizon = done;
            }
            let mut row_sum = 0;
            let mut mask = running;
            while mask != 0 {
                let l = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                if done[l] == BACKLOG {
                    finished[l] = t;
                    running &= !(1 << l);
                } else if FULL {
                    tables.running[(t - 1) * BINS + done[l] as usize] += 1;
                    row_sum += u64::from(done[l]);
                }
            }
            if FULL {
                tables.running_sums[t - 1] += row_sum;
            }
            if running == 0 {
                break;
            }
        }
        for l in 0..count {
            tables.finish(finished[l], at_horizon[l], FULL);
        }
        first += count as u64;
    }
}

/// A kernel of `trials` trials.
pub type Kernel = fn(Shape, u64) -> Tables;

/// Every kernel, with whether it records every table.
pub const KERNELS: [(&str, Kernel, bool); 5] = [
    ("scalar_bare", scalar::<false>, false),
    ("scalar_same_outputs", scalar::<true>, true),
    ("lanes_bare", side_by_side::<false, false>, false),
    ("lanes_same_outputs", side_by_side::<true, false>, true),
    ("lanes_avx2_same_outputs", side_by_side::<true, true>, true),
];

/// Every kernel's numbers on `forecast` are the engine's: the finish periods exactly; with
/// every table, the mean items done of every period and by the horizon to the last bit.
pub fn check(forecast: &Forecast) {
    let trials = 20_011;
    let shape = Shape::of(forecast);
    let engine = forecast::run(forecast, trials, SEED);
    let finish = |r: &ForecastResults| (0..=shape.cap).map(|t| r.finish.count(t)).collect();
    let engine_finish: Vec<u64> = finish(&engine);
    for (name, kernel, full) in KERNELS {
        let tables = kernel(shape, trials);
        assert_eq!(tables.finish, engine_finish, "{name}: finish periods");
        if !full {
            continue;
        }
        let mut finished_items = 0;
        for (r, row) in engine.rows.iter().enumerate() {
            finished_items += tables.finish[r + 1] * u64::from(BACKLOG);
            let mean = (finished_items + tables.running_sums[r]) as f64 / trials as f64;
            assert_eq!(
                mean,
                row.items.mean,
                "{name}: items done by period {}",
                r + 1
            );
        }
        let (_, _, by_horizon) = engine.at_horizon.as_ref().expect("a horizon");
        let mean = tables.at_horizon_sum as f64 / trials as f64;
        assert_eq!(mean, by_horizon.mean, "{name}: items done by the horizon");
    }
}
