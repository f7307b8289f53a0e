//! Random streams keyed by (seed, trial, purpose, index): every draw of a trial comes from a
//! stream named by what it is for, so every strategy sees the same world (common random
//! numbers) and results do not depend on which thread ran a trial.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every stream uses (portable and fast; `SmallRng` is not portable).
pub type Stream = Xoshiro256PlusPlus;

/// What a stream's draws are for. Values are part of the output format: changing one changes
/// every result for a given seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// A team's per-trial constants: initial debt, interest, accrual, paydown efficiency,
    /// incident base rate, attrition.
    TeamConstants = 1,
    /// An initiative's per-trial values: effort, scope growth, contributions, on_done effects.
    Initiative = 2,
    /// A risk: whether and when it strikes, and its impact.
    Risk = 3,
    /// A team's availability (or capacity draw), one per period.
    Capacity = 4,
    /// A team's attrition, one draw per period.
    Attrition = 5,
    /// A team's incident count uniform, one per period.
    Incidents = 6,
    /// The cost of each incident of one team in one period (index = team, period).
    IncidentCost = 7,
    /// The row of a team's joint draws ([`crate::model::JointDraws`]) the trial takes: its own
    /// stream, so that the row does not depend on the strategy or on the other draws.
    JointRow = 8,
}

/// SplitMix64's finaliser: a bijective mix with good avalanche.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream for one purpose of one trial; `index` is a team, initiative or risk index,
/// `sub` a period where the purpose needs one (else 0).
#[inline]
pub fn stream(seed: u64, trial: u64, purpose: Purpose, index: usize, sub: usize) -> Stream {
    Stream::seed_from_u64(stream_key(seed, trial, purpose, index, sub))
}

/// The key a [`stream`] is seeded from (its `seed_from_u64` argument).
#[inline]
pub fn stream_key(seed: u64, trial: u64, purpose: Purpose, index: usize, sub: usize) -> u64 {
    mix(mix(mix(mix(seed) ^ trial) ^ purpose as u64) ^ ((index as u64) << 32 | sub as u64))
}

/// An index below `len` from one stream: rand's `random_range(0..len)` for `usize`, written
/// out so that it inlines alike into every binary (the engine's kernels and the benchmarks').
#[inline(always)]
pub fn index(stream: &mut Stream, len: u32) -> u32 {
    let wide = (stream.next_u64() >> 32) * u64::from(len);
    let (hi, lo) = ((wide >> 32) as u32, wide as u32);
    if lo > len.wrapping_neg() {
        let second = ((stream.next_u64() >> 32) * u64::from(len)) >> 32;
        hi + u32::from(lo.checked_add(second as u32).is_none())
    } else {
        hi
    }
}

/// Where a trial is in a throughput history it resamples in circular blocks (Politis &
/// Romano 1992): each block starts at a random period and runs on through consecutive periods,
/// wrapping from the last to the first. Blocks of one period are the classic bootstrap, with
/// the same draws from the stream.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlockCursor {
    /// The period drawn next.
    next: u32,
    /// Periods left in the current block.
    left: u32,
}

impl BlockCursor {
    /// The next period (an index below `len`) of blocks of `block` periods.
    #[inline(always)]
    pub fn next(&mut self, stream: &mut Stream, len: u32, block: u32) -> u32 {
        if self.left == 0 {
            self.next = index(stream, len);
            self.left = block;
        }
        let at = self.next;
        self.next += 1;
        if self.next == len {
            self.next = 0;
        }
        self.left -= 1;
        at
    }
}

/// The standard normal quantile function (Acklam's algorithm, relative error below 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.024_25 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.024_25 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The Poisson(λ) count whose CDF first reaches `u`: inverting one uniform makes counts of
/// different rates monotonically coupled, so a strategy with less debt never sees more
/// incidents from the same draw.
#[inline]
pub fn poisson_quantile(u: f64, lambda: f64) -> u64 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 500.0 {
        // e^-λ underflows beyond ~700; the normal approximation is excellent here.
        let k = lambda + lambda.sqrt() * normal_quantile(u) + 0.5;
        return k.max(0.0) as u64;
    }
    let mut p = (-lambda).exp();
    let mut cdf = p;
    let mut k = 0u64;
    while u > cdf && k < 100_000 {
        k += 1;
        p *= lambda / k as f64;
        cdf += p;
        if p == 0.0 && cdf < u {
            // Rounding left the CDF short of u: the remaining mass is negligible.
            break;
        }
    }
    k
}

/// The Binomial(n, p) count whose CDF first reaches `u` (one uniform, monotone in p).
#[inline]
pub fn binomial_quantile(u: f64, n: u32, p: f64) -> u32 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let ratio = p / (1.0 - p);
    let mut prob = (1.0 - p).powi(n as i32);
    let mut cdf = prob;
    let mut k = 0u32;
    while u > cdf && k < n {
        prob *= f64::from(n - k) / f64::from(k + 1) * ratio;
        k += 1;
        cdf += prob;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_differ_by_every_key_part_and_repeat_for_the_same_key() {
        use rand::Rng;
        let draw =
            |s: u64, t: u64, p: Purpose, i: usize, k: usize| stream(s, t, p, i, k).next_u64();
        let base = draw(1, 2, Purpose::Capacity, 3, 4);
        assert_eq!(base, draw(1, 2, Purpose::Capacity, 3, 4));
        for other in [
            draw(9, 2, Purpose::Capacity, 3, 4),
            draw(1, 9, Purpose::Capacity, 3, 4),
            draw(1, 2, Purpose::Attrition, 3, 4),
            draw(1, 2, Purpose::Capacity, 9, 4),
            draw(1, 2, Purpose::Capacity, 3, 9),
        ] {
            assert_ne!(base, other);
        }
    }

    /// Including lengths where the second draw is common (close to 2³²).
    #[test]
    fn index_is_rands_random_range() {
        for len in [1u32, 2, 26, 1000, 3_000_000_000, u32::MAX] {
            let mut ours = stream(1, 2, Purpose::Capacity, 0, len as usize);
            let mut rands = ours.clone();
            for _ in 0..2000 {
                assert_eq!(
                    index(&mut ours, len) as usize,
                    rands.random_range(0..len as usize)
                );
            }
        }
    }

    #[test]
    fn normal_quantile_matches_known_points() {
        assert!(normal_quantile(0.5).abs() < 1e-12);
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472).abs() < 1e-8);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813).abs() < 1e-8);
    }

    /// Mean and variance of quantile-sampled counts match λ within 4 standard errors.
    #[test]
    fn poisson_quantile_has_the_poisson_mean_and_variance() {
        let mut rng = stream(7, 0, Purpose::Incidents, 0, 0);
        for lambda in [0.3, 2.5, 40.0, 800.0] {
            let n = 200_000;
            let xs: Vec<f64> = (0..n)
                .map(|_| poisson_quantile(rng.random::<f64>(), lambda) as f64)
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // Standard error of the mean is sqrt(λ/n); of the variance about λ·sqrt(2/n).
            assert!(
                (mean - lambda).abs() < 4.0 * (lambda / n as f64).sqrt(),
                "λ={lambda} mean={mean}"
            );
            let var_se = (lambda * lambda * 2.0 / n as f64 + lambda / n as f64).sqrt();
            assert!((var - lambda).abs() < 4.0 * var_se, "λ={lambda} var={var}");
        }
    }

    #[test]
    fn quantile_counts_are_monotone_in_the_rate() {
        for u in [0.01, 0.3, 0.77, 0.999] {
            let mut last = 0;
            for lambda in [0.1, 0.5, 1.0, 3.0, 10.0, 100.0] {
                let k = poisson_quantile(u, lambda);
                assert!(k >= last);
                last = k;
            }
            assert!(binomial_quantile(u, 10, 0.1) <= binomial_quantile(u, 10, 0.3));
        }
        assert_eq!(binomial_quantile(0.5, 10, 0.0), 0);
        assert_eq!(binomial_quantile(0.5, 10, 1.0), 10);
    }
}
