//! `fulcrum sweep`: allocate and simulate a scenario at every point of a parameter grid, on
//! common random numbers (the same seed and trials at each point), and find the frontier's
//! knee.

use rayon::prelude::*;

use crate::pipeline;
use crate::scenario::{Document, LoadError};
use crate::simulate::{Results, Settings, SummaryMetric, Trials};

/// One `--vary path=from:to:steps`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// A `--set` path, e.g. `okrs.blend` or `strategies.80/20.tech_share`.
    pub path: String,
    /// The values to try, in order.
    pub values: Vec<f64>,
}

impl Vary {
    /// Parses `path=from:to:steps` (`steps` evenly spaced values from `from` to `to`).
    pub fn parse(text: &str) -> Result<Vary, String> {
        let usage = "expected --vary path=from:to:steps, e.g. --vary okrs.blend=0:1:11";
        let (path, range) = text
            .split_once('=')
            .ok_or_else(|| format!("`--vary {text}` has no `=`; {usage}"))?;
        let parts: Vec<&str> = range.split(':').collect();
        let [from, to, steps] = parts[..] else {
            return Err(format!(
                "`--vary {text}` needs three parts from:to:steps; {usage}"
            ));
        };
        let number = |s: &str, what: &str| -> Result<f64, String> {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("`{s}` in `--vary {text}` is not a number ({what})"))
        };
        let from = number(from, "from")?;
        let to = number(to, "to")?;
        let steps: usize = steps
            .trim()
            .parse()
            .ok()
            .filter(|&n| (1..=1000).contains(&n))
            .ok_or_else(|| {
                format!("steps `{steps}` in `--vary {text}` must be a whole number from 1 to 1000")
            })?;
        if path.trim().is_empty() {
            return Err(format!("`--vary {text}` has an empty path; {usage}"));
        }
        let values = (0..steps)
            .map(|i| {
                if steps == 1 {
                    from
                } else {
                    from + (to - from) * i as f64 / (steps - 1) as f64
                }
            })
            .collect();
        Ok(Vary {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Every combination of the varied values, the first parameter varying slowest.
pub fn grid(varies: &[Vary]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::new()];
    for vary in varies {
        points = points
            .into_iter()
            .flat_map(|p| {
                vary.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    points
}

/// A value as `--set` receives it: shortest exact decimal.
pub fn format_value(x: f64) -> String {
    let rounded = (x * 1e9).round() / 1e9;
    format!("{rounded}")
}

/// One point of a sweep.
#[derive(Debug)]
pub struct Point {
    /// The varied parameters' values, in `--vary` order.
    pub values: Vec<f64>,
    /// The simulation of every strategy at this point.
    pub results: Results,
}

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario at a point is invalid (exit 2).
    #[error("at sweep point {point}")]
    Invalid {
        /// The point, as `path=value, path=value`.
        point: String,
        /// Why its scenario does not load.
        #[source]
        error: LoadError,
    },
    /// A point's run failed: its optimised strategy found no policy that meets the deadlines,
    /// or its simulation left the representable range.
    #[error("at sweep point {point}: {error}")]
    Run {
        /// The point, as `path=value, path=value`.
        point: String,
        /// Why its run failed.
        error: pipeline::RunError,
    },
}

/// The headline metrics of a sweep, in `frontier.csv` order.
pub const METRICS: [SummaryMetric; 5] = [
    SummaryMetric::BlendedScore,
    SummaryMetric::ProductScore,
    SummaryMetric::TechnologyScore,
    SummaryMetric::FinalDebt,
    SummaryMetric::IncidentDays,
];

/// Runs the sweep: at each point, `document` with `sets` and the point's values applied is
/// compiled, planned and simulated (`trials` trials from `seed`: every point sees the same
/// sampled worlds). `progress` hears the number of points done.
pub fn run(
    document: &Document,
    sets: &[String],
    varies: &[Vary],
    trials: u64,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Point>, SweepError> {
    let all = 0..grid(varies).len() as u64 * trials;
    let shares = run_share(document, sets, varies, all, trials, seed, progress)?;
    Ok(points(varies, shares).expect("one share holds every point"))
}

/// The points of the grid `varies` spans, from the results of every share of the sweep merged
/// in order (each point's index with its results); refused unless they hold every point once.
pub fn points(varies: &[Vary], shares: Vec<(usize, Results)>) -> Result<Vec<Point>, String> {
    let grid = grid(varies);
    let in_order = shares.iter().enumerate().all(|(i, (p, _))| i == *p);
    if shares.len() != grid.len() || !in_order {
        return Err(format!(
            "the shards hold {} of the sweep's {} points",
            shares.len(),
            grid.len()
        ));
    }
    let results = shares.into_iter().map(|(_, results)| results);
    Ok(grid
        .into_iter()
        .zip(results)
        .map(|(values, results)| Point { values, results })
        .collect())
}

/// Adds the results of the next share of a sweep (`later`, in grid order) to `shares`: a point
/// split between two shares continues where it stopped.
pub fn merge_shares(
    shares: &mut Vec<(usize, Results)>,
    later: Vec<(usize, Results)>,
) -> Result<(), crate::simulate::ShapeMismatch> {
    for (p, results) in later {
        match shares.last_mut() {
            Some((last, earlier)) if *last == p => earlier.merge(&results)?,
            _ => shares.push((p, results)),
        }
    }
    Ok(())
}

/// [`run`] of a share of the sweep's work (a shard's): its trials numbered point by point,
/// trial t of point p being `p·trials + t`, the share a range of those. Every point the share
/// touches is planned, and simulated on its trials in the share; the points come back in grid
/// order with their index, their results to merge ([`merge_shares`]) with the other shares'.
pub fn run_share(
    document: &Document,
    sets: &[String],
    varies: &[Vary],
    share: std::ops::Range<u64>,
    trials: u64,
    seed: u64,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<(usize, Results)>, SweepError> {
    let done = std::sync::atomic::AtomicUsize::new(0);
    let touched: Vec<(usize, Vec<f64>, std::ops::Range<u64>)> = grid(varies)
        .into_iter()
        .enumerate()
        .filter_map(|(p, values)| {
            let first = p as u64 * trials;
            let (start, end) = (share.start.max(first), share.end.min(first + trials));
            (start < end).then_some((p, values, start - first..end - first))
        })
        .collect();
    // Points run in parallel (the allocator is single-threaded), each simulating on the same
    // pool; results are collected in grid order, so the output does not depend on timing.
    touched
        .into_par_iter()
        .map(|(p, values, range)| {
            let results = run_point(document, sets, varies, values, trials, seed, range)?;
            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok((p, results))
        })
        .collect()
}

/// Plans the point at `values` and simulates its trials `range` (of `trials`).
fn run_point(
    document: &Document,
    sets: &[String],
    varies: &[Vary],
    values: Vec<f64>,
    trials: u64,
    seed: u64,
    range: std::ops::Range<u64>,
) -> Result<Results, SweepError> {
    let label = label(varies, &values);
    let mut assignments = sets.to_vec();
    assignments.extend(
        varies
            .iter()
            .zip(&values)
            .map(|(v, x)| format!("{}={}", v.path, format_value(*x))),
    );
    let mut doc = document.clone();
    let compiled = doc.set(&assignments).and_then(|()| doc.compile());
    let scenario = compiled
        .map_err(|error| SweepError::Invalid {
            point: label.clone(),
            error,
        })?
        .scenario;
    let settings = settings(&scenario, trials, seed);
    let options = pipeline::Options {
        marginal_values: pipeline::MarginalValues::None,
        ..pipeline::Options::new(settings)
    };
    let failed = |error| SweepError::Run {
        point: label.clone(),
        error,
    };
    let planned = pipeline::plan(&scenario, &options, &|_| {}).map_err(failed)?;
    let started = std::time::Instant::now();
    let results = planned.simulate(&scenario, &settings, Trials::range(range));
    let output = planned
        .output(results, settings, started.elapsed())
        .map_err(failed)?;
    Ok(output.results)
}

/// What a sweep point simulates: `trials` trials from `seed`, whole-trial outcomes only.
pub fn settings(scenario: &crate::model::Scenario, trials: u64, seed: u64) -> Settings {
    Settings::outcomes_only(scenario, trials, seed)
}

/// `path=value, path=value` for messages and labels.
pub fn label(varies: &[Vary], values: &[f64]) -> String {
    varies
        .iter()
        .zip(values)
        .map(|(v, x)| format!("{}={}", v.path, format_value(*x)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The knee of one strategy's frontier: among the points no other point beats on both
/// product attainment (higher) and final debt (lower), the one farthest from the straight
/// line between the frontier's ends, in coordinates scaled to the frontier's range: where
/// more of one side starts to cost disproportionately more of the other. `None` with fewer
/// than three frontier points.
pub fn knee(points: &[(f64, f64)]) -> Option<usize> {
    let dominated = |i: usize| {
        let (x, y) = points[i];
        points
            .iter()
            .enumerate()
            .any(|(j, &(a, b))| j != i && a >= x && b <= y && (a > x || b < y))
    };
    let mut front: Vec<usize> = (0..points.len()).filter(|&i| !dominated(i)).collect();
    front.sort_by(|&a, &b| points[a].0.total_cmp(&points[b].0).then(a.cmp(&b)));
    front.dedup_by(|a, b| points[*a] == points[*b]);
    if front.len() < 3 {
        return None;
    }
    let (first, last) = (points[front[0]], points[*front.last()?]);
    let sx = (last.0 - first.0).abs().max(1e-12);
    let sy = (last.1 - first.1).abs().max(1e-12);
    let scaled = |(x, y): (f64, f64)| ((x - first.0) / sx, (y - first.1) / sy);
    let (ex, ey) = scaled(last);
    let length = (ex * ex + ey * ey).sqrt();
    front[1..front.len() - 1]
        .iter()
        .map(|&i| {
            let (px, py) = scaled(points[i]);
            ((px * ey - py * ex).abs() / length, i)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        .map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vary_spans_its_range_evenly() {
        let v = Vary::parse("okrs.blend=0:1:5").unwrap();
        assert_eq!(v.path, "okrs.blend");
        assert_eq!(v.values, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(Vary::parse("a=3:3:1").unwrap().values, vec![3.0]);
        for bad in [
            "okrs.blend",
            "x=0:1",
            "x=a:1:3",
            "x=0:1:0",
            "=0:1:2",
            "x=0:inf:2",
        ] {
            assert!(Vary::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_grid_varies_the_first_parameter_slowest() {
        let a = Vary::parse("a=0:1:2").unwrap();
        let b = Vary::parse("b=5:7:3").unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 5.0]);
        assert_eq!(g[1], vec![0.0, 6.0]);
        assert_eq!(g[3], vec![1.0, 5.0]);
        assert_eq!(format_value(0.1 + 0.2), "0.3");
    }

    #[test]
    fn the_knee_is_where_the_frontier_bends() {
        // Product up, debt up: cheap gains first, then debt climbs steeply after x = 0.8.
        let points = [
            (0.2, 100.0),
            (0.5, 110.0),
            (0.8, 120.0),
            (0.9, 300.0),
            (1.0, 600.0),
        ];
        assert_eq!(knee(&points), Some(2));
        // A dominated point is never the knee.
        let with_bad = [(0.2, 100.0), (0.5, 700.0), (0.8, 120.0), (1.0, 600.0)];
        assert_eq!(knee(&with_bad), Some(2));
        assert_eq!(
            knee(&with_bad[..2]),
            None,
            "fewer than three frontier points"
        );
    }
}
