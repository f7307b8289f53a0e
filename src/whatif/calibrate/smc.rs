//! ABC population Monte Carlo (Beaumont, Cornuet, Marin & Robert 2009, Biometrika 96) with
//! the tolerance set adaptively from the population before (Del Moral, Doucet & Jasra 2012,
//! Stat. Comput. 22; the quantile rule of Drovandi & Pettitt 2011, Biometrics 67).
//!
//! Generation 0 draws the prior. Generation g sets its tolerance ε_g to a quantile of the
//! distances of generation g − 1, then fills every particle by drawing an earlier particle by
//! weight, moving it with a Gaussian kernel of twice the population's weighted covariance,
//! simulating, and keeping it when its distance is within ε_g. Weights are
//! π(θ) / Σ_j w_j K(θ | θ_j). It stops when the acceptance rate falls below a floor, when ε
//! no longer shrinks, or when the simulation budget would be exceeded (that generation is then
//! dropped, not cut short).
//!
//! Determinism: particle i of generation g draws from its own stream and simulates with seeds
//! keyed by (seed, g, i, attempt) ([`simulation_seed`]); rayon collects in index order and
//! every sum runs in index order, so a seed gives the same population on any thread count.

use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution as _, StandardNormal};
use rayon::prelude::*;

use crate::simulate::Scratch;
use crate::simulate::rng::Stream;

use super::forward::{Replay, Series, simulate, simulation_seed};
use super::prior::Prior;
use super::summaries::{distance, scales, summaries};

/// Dimension of the natural coordinates.
const DIM: usize = 11;

/// How hard the sampler works.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Settings {
    /// Particles per generation.
    pub particles: usize,
    /// Most generations after the prior's.
    pub max_generations: usize,
    /// Quantile of the previous distances that sets the next tolerance.
    pub quantile: f64,
    /// Stop after a generation that accepted fewer than this share of its proposals.
    pub min_acceptance: f64,
    /// Most simulations of the whole calibration of one team.
    pub max_simulations: u64,
    /// Master seed.
    pub seed: u64,
}

impl Settings {
    /// The defaults of `fulcrum calibrate`.
    pub fn standard(seed: u64) -> Settings {
        Settings {
            particles: 1000,
            max_generations: 20,
            quantile: 0.5,
            min_acceptance: 0.005,
            max_simulations: 1_500_000,
            seed,
        }
    }

    /// Most simulations a team's calibration runs: the prior's draws and the generations'
    /// budget, which a round may pass by one batch per particle (that generation is then
    /// dropped), and the posterior predictive draws, one per particle.
    pub fn most_simulations(&self) -> u64 {
        self.max_simulations + (BATCH + 1) * self.particles as u64
    }
}

/// Weighted particles in natural coordinates.
#[derive(Clone, Debug, Default)]
pub struct Population {
    /// The particles.
    pub z: Vec<[f64; DIM]>,
    /// Their normalised weights.
    pub weights: Vec<f64>,
    /// Each one's distance to the observed summaries.
    pub distances: Vec<f64>,
    /// The drag in the last period of the simulation accepted with each one: with the
    /// particle, a joint draw of θ and the history's unobserved debt path (the prior's for
    /// generation 0), so a draw of the drag at the end of the history.
    pub final_drags: Vec<f64>,
}

/// What one generation did.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Generation {
    /// Its tolerance (infinite for the prior's).
    pub epsilon: f64,
    /// Share of its proposals accepted.
    pub acceptance: f64,
    /// Simulations it ran.
    pub simulations: u64,
}

/// The result of the sampler.
#[derive(Clone, Debug)]
pub struct Sampled {
    /// Generation 0: draws of the prior (equal weights).
    pub prior: Population,
    /// The last generation kept.
    pub posterior: Population,
    /// Every generation kept, the prior's first.
    pub generations: Vec<Generation>,
    /// The distance's scale per summary.
    pub scales: Vec<f64>,
    /// The observed summaries.
    pub observed: Vec<f64>,
}

/// Runs ABC-PMC for the `observed` history replayed under `replay`; `progress` hears the
/// simulations run so far (at most [`Settings::most_simulations`]).
pub fn sample(
    prior: &Prior,
    observed: &Series,
    replay: &Replay,
    settings: &Settings,
    progress: &(dyn Fn(u64) + Sync),
) -> Sampled {
    let n = settings.particles;
    let observed = summaries(observed, &replay.shares);
    let draws: Vec<([f64; DIM], Vec<f64>, f64)> = (0..n)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, i| {
            let mut rng = Stream::seed_from_u64(simulation_seed(settings.seed, 0, i as u64, !0));
            let z = prior.sample(&mut rng);
            let seed = simulation_seed(settings.seed, 0, i as u64, 0);
            let sim = simulate(&prior.theta(&z), replay, seed, scratch);
            (z, summaries(&sim.series, &replay.shares), sim.final_drag())
        })
        .collect();
    let simulated: Vec<Vec<f64>> = draws.iter().map(|d| d.1.clone()).collect();
    let scales = scales(&simulated);
    let first = Population {
        z: draws.iter().map(|d| d.0).collect(),
        weights: vec![1.0 / n as f64; n],
        distances: simulated
            .iter()
            .map(|s| distance(s, &observed, &scales))
            .collect(),
        final_drags: draws.iter().map(|d| d.2).collect(),
    };
    let mut generations = vec![Generation {
        epsilon: f64::INFINITY,
        acceptance: 1.0,
        simulations: n as u64,
    }];
    let mut used = n as u64;
    progress(used);
    let mut current = first.clone();
    for g in 1..=settings.max_generations {
        let epsilon = weighted_quantile(&current.distances, &current.weights, settings.quantile);
        let previous = generations.last().map_or(f64::INFINITY, |p| p.epsilon);
        if epsilon >= previous * 0.99 {
            break;
        }
        let step = Step {
            prior,
            replay,
            observed: &observed,
            scales: &scales,
            epsilon,
            seed: settings.seed,
            generation: g as u64,
            budget: settings.max_simulations.saturating_sub(used),
            progress: &|simulations| progress(used + simulations),
        };
        let Some((next, simulations)) = step.run(&current) else {
            break;
        };
        used += simulations;
        let acceptance = n as f64 / simulations as f64;
        generations.push(Generation {
            epsilon,
            acceptance,
            simulations,
        });
        current = next;
        if acceptance < settings.min_acceptance || used >= settings.max_simulations {
            break;
        }
    }
    Sampled {
        prior: first,
        posterior: current,
        generations,
        scales,
        observed,
    }
}

/// One generation's moves.
struct Step<'a> {
    prior: &'a Prior,
    replay: &'a Replay,
    observed: &'a [f64],
    scales: &'a [f64],
    epsilon: f64,
    seed: u64,
    generation: u64,
    /// Most simulations the generation may run.
    budget: u64,
    /// Hears the simulations the generation has run so far.
    progress: &'a (dyn Fn(u64) + Sync),
}

/// A particle kept (its coordinates, distance and final drag), if any.
type Kept = Option<([f64; DIM], f64, f64)>;

/// Proposals each open particle tries per round of a generation.
const BATCH: u64 = 8;

impl Step<'_> {
    /// The next population from `current`, and the simulations it took; `None` when the
    /// budget ran out before every particle found a proposal within the tolerance.
    fn run(&self, current: &Population) -> Option<(Population, u64)> {
        let kernel = Kernel::of(current);
        let cumulative: Vec<f64> = current
            .weights
            .iter()
            .scan(0.0, |sum, w| {
                *sum += w;
                Some(*sum)
            })
            .collect();
        // Rounds of BATCH proposals per open particle, until every particle holds one within
        // the tolerance or the budget is spent. Particle i's proposals are numbered, each
        // seeded by its number, so which one it keeps does not depend on the rounds' sizes.
        let n = current.z.len();
        let mut found: Vec<Kept> = vec![None; n];
        let mut tried = vec![0u64; n];
        let mut simulations = 0u64;
        loop {
            let open: Vec<usize> = (0..n).filter(|&i| found[i].is_none()).collect();
            if open.is_empty() {
                break;
            }
            if simulations >= self.budget {
                return None;
            }
            let batches: Vec<(Kept, u64)> = open
                .par_iter()
                .map_init(Scratch::default, |scratch, &i| {
                    self.batch(i, tried[i], current, &cumulative, &kernel, scratch)
                })
                .collect();
            for (&i, (kept, runs)) in open.iter().zip(batches) {
                found[i] = kept;
                tried[i] += runs;
                simulations += runs;
            }
            (self.progress)(simulations);
        }
        let found: Vec<([f64; DIM], f64, f64)> =
            found.into_iter().map(|f| f.expect("filled")).collect();
        let z: Vec<[f64; DIM]> = found.iter().map(|f| f.0).collect();
        let log_weights: Vec<f64> = z
            .par_iter()
            .map(|zi| {
                let terms: Vec<f64> = current
                    .z
                    .iter()
                    .zip(&current.weights)
                    .map(|(zj, wj)| wj.ln() + kernel.log_density(zi, zj))
                    .collect();
                self.prior.log_density(zi) - log_sum_exp(&terms)
            })
            .collect();
        let top = log_sum_exp(&log_weights);
        let weights = log_weights.iter().map(|w| (w - top).exp()).collect();
        let distances = found.iter().map(|f| f.1).collect();
        let final_drags = found.iter().map(|f| f.2).collect();
        Some((
            Population {
                z,
                weights,
                distances,
                final_drags,
            },
            simulations,
        ))
    }

    /// Particle `i`'s proposals `from` to `from + BATCH`, up to the first within the
    /// tolerance: what it keeps, and the simulations run.
    fn batch(
        &self,
        i: usize,
        from: u64,
        current: &Population,
        cumulative: &[f64],
        kernel: &Kernel,
        scratch: &mut Scratch,
    ) -> (Kept, u64) {
        let total = cumulative.last().copied().unwrap_or(1.0);
        for attempt in from..from + BATCH {
            let seed = simulation_seed(self.seed, self.generation, i as u64, attempt);
            let mut rng = Stream::seed_from_u64(!seed);
            let u = rng.random::<f64>() * total;
            let j = cumulative
                .partition_point(|&c| c <= u)
                .min(cumulative.len() - 1);
            let z = kernel.perturb(&current.z[j], &mut rng);
            let sim = simulate(&self.prior.theta(&z), self.replay, seed, scratch);
            let d = distance(
                &summaries(&sim.series, &self.replay.shares),
                self.observed,
                self.scales,
            );
            if d <= self.epsilon {
                return (Some((z, d, sim.final_drag())), attempt - from + 1);
            }
        }
        (None, BATCH)
    }
}

/// A Gaussian kernel with twice the population's weighted covariance (Beaumont et al. 2009),
/// held as its Cholesky factor.
struct Kernel {
    lower: [[f64; DIM]; DIM],
}

impl Kernel {
    fn of(population: &Population) -> Kernel {
        let mut mean = [0.0; DIM];
        for (z, w) in population.z.iter().zip(&population.weights) {
            for k in 0..DIM {
                mean[k] += w * z[k];
            }
        }
        let mut cov = [[0.0; DIM]; DIM];
        for (z, w) in population.z.iter().zip(&population.weights) {
            for a in 0..DIM {
                for b in 0..=a {
                    cov[a][b] += 2.0 * w * (z[a] - mean[a]) * (z[b] - mean[b]);
                }
            }
        }
        for (a, row) in cov.iter_mut().enumerate() {
            // A floor, so that a coordinate the population agrees on can still move.
            row[a] += 1e-10 + 1e-8 * row[a];
        }
        Kernel {
            lower: cholesky(&cov),
        }
    }

    fn perturb(&self, z: &[f64; DIM], rng: &mut Stream) -> [f64; DIM] {
        let e: [f64; DIM] = std::array::from_fn(|_| StandardNormal.sample(rng));
        std::array::from_fn(|a| z[a] + (0..=a).map(|b| self.lower[a][b] * e[b]).sum::<f64>())
    }

    /// log K(x | y) up to a constant.
    fn log_density(&self, x: &[f64; DIM], y: &[f64; DIM]) -> f64 {
        // Solve L v = x − y; the density is exp(−|v|² / 2).
        let mut v = [0.0; DIM];
        for a in 0..DIM {
            let s: f64 = (0..a).map(|b| self.lower[a][b] * v[b]).sum();
            v[a] = (x[a] - y[a] - s) / self.lower[a][a];
        }
        -0.5 * v.iter().map(|x| x * x).sum::<f64>()
    }
}

/// The Cholesky factor of the symmetric positive-definite `cov` (its lower triangle read).
fn cholesky(cov: &[[f64; DIM]; DIM]) -> [[f64; DIM]; DIM] {
    let mut l = [[0.0; DIM]; DIM];
    for a in 0..DIM {
        for b in 0..=a {
            let s: f64 = (0..b).map(|k| l[a][k] * l[b][k]).sum();
            if a == b {
                l[a][a] = (cov[a][a] - s).max(1e-12).sqrt();
            } else {
                l[a][b] = (cov[a][b] - s) / l[b][b];
            }
        }
    }
    l
}

fn log_sum_exp(x: &[f64]) -> f64 {
    let top = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + x.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

/// The `q` quantile of `values` under normalised `weights`.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut sum = 0.0;
    for &i in &order {
        sum += weights[i];
        if sum >= q {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_density_is_the_gaussian_of_its_covariance() {
        let mut cov = [[0.0; DIM]; DIM];
        for (a, row) in cov.iter_mut().enumerate() {
            row[a] = 4.0;
        }
        let kernel = Kernel {
            lower: cholesky(&cov),
        };
        let mut x = [0.0; DIM];
        x[3] = 2.0;
        assert!((kernel.log_density(&x, &[0.0; DIM]) + 0.5).abs() < 1e-12);
    }

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let v = [1.0, 2.0, 3.0];
        assert_eq!(weighted_quantile(&v, &[0.2, 0.2, 0.6], 0.5), 3.0);
        assert_eq!(weighted_quantile(&v, &[0.6, 0.2, 0.2], 0.5), 1.0);
    }
}
