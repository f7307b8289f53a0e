//! The JSON the page and the server exchange: the scenario's controls, a request for an
//! answer, the answer itself, progress and refusals. Plain data, and the controls' ranges.

use serde::{Deserialize, Serialize};

/// What the page needs to draw its controls (`GET /api/scenario`).
#[derive(Clone, Debug, Serialize)]
pub struct Info {
    /// The scenario file as given on the command line.
    pub file: String,
    /// The file name a download is saved as.
    pub file_name: String,
    /// The scenario's name.
    pub name: String,
    /// The question it answers, when the file says.
    pub question: Option<String>,
    /// Periods in the horizon.
    pub periods: usize,
    /// Each period's label: its number, and the date it ends when the scenario has a start.
    pub period_labels: Vec<String>,
    /// Trials of the refined answer (the scenario's `trials`, or `--trials`).
    pub trials: u64,
    /// Trials of the fast preview.
    pub preview_trials: u64,
    /// Seed of every answer.
    pub seed: u64,
    /// Flags that reproduce the server's own settings in `fulcrum run` (`--trials`, `--seed`).
    pub run_flags: Vec<String>,
    /// Strategy names, in file order (their colours on the page follow it).
    pub strategies: Vec<String>,
    /// Controls in groups (the blend, each strategy, each team).
    pub groups: Vec<ControlGroup>,
    /// Every field of the file, for the free-form `--set` box.
    pub fields: Vec<FieldValue>,
    /// Warnings about the file itself, as `fulcrum validate` prints them.
    pub warnings: Vec<String>,
}

/// A titled group of controls.
#[derive(Clone, Debug, Serialize)]
pub struct ControlGroup {
    /// Shown as the group's heading.
    pub title: String,
    /// In order.
    pub controls: Vec<Control>,
}

/// One control: a slider with a number box, or the list of a team's hires.
#[derive(Clone, Debug, Serialize)]
pub struct Control {
    /// The `--set` path it writes.
    pub path: String,
    /// Shown beside it.
    pub label: String,
    /// How it looks.
    pub kind: ControlKind,
    /// The file's value: a number, or the hires as `[{ period, engineers }]`.
    pub value: serde_json::Value,
    /// The slider's lowest value (the number box takes any).
    pub min: f64,
    /// The slider's highest value.
    pub max: f64,
    /// The slider's step.
    pub step: f64,
}

impl Control {
    /// A slider over a fraction in [0, 1], in steps of 5%.
    pub fn share(path: &str, label: &str, value: f64) -> Control {
        Control {
            path: path.into(),
            label: label.into(),
            kind: ControlKind::Share,
            value: value.into(),
            min: 0.0,
            max: 1.0,
            step: 0.05,
        }
    }

    /// A slider from 0 to about `max` (rounded up to 1, 2 or 5 times a power of ten), in
    /// about a hundred round steps, whole ones for whole values.
    pub fn number(path: &str, label: &str, value: f64, max: f64) -> Control {
        let max = nice(max);
        let step = if max <= 100.0 {
            if value.fract() == 0.0 { 1.0 } else { 0.5 }
        } else {
            nice(max / 100.0)
        };
        Control {
            path: path.into(),
            label: label.into(),
            kind: ControlKind::Number,
            value: value.into(),
            min: 0.0,
            max,
            step,
        }
    }

    /// A period from 1 to `periods - 1`: where a phase ends (the next one holds from the
    /// period after it, to the end at the latest).
    pub fn period(path: &str, label: &str, value: usize, periods: usize) -> Control {
        Control {
            path: path.into(),
            label: label.into(),
            kind: ControlKind::Period,
            value: value.into(),
            min: 1.0,
            max: periods.saturating_sub(1).max(1) as f64,
            step: 1.0,
        }
    }

    /// A team's hires, `(period, engineers)`, in periods 1 to `periods`.
    pub fn hires(path: &str, hires: Vec<(usize, f64)>, periods: usize) -> Control {
        let rows: Vec<serde_json::Value> = hires
            .into_iter()
            .map(|(period, engineers)| serde_json::json!({ "period": period, "engineers": engineers }))
            .collect();
        Control {
            path: path.into(),
            label: "hires".into(),
            kind: ControlKind::Hires,
            value: rows.into(),
            min: 1.0,
            max: periods as f64,
            step: 1.0,
        }
    }
}

/// `x` rounded up to 1, 2 or 5 times a power of ten.
fn nice(x: f64) -> f64 {
    let magnitude = 10f64.powf(x.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|&v| v >= x)
        .unwrap_or(10.0 * magnitude)
}

/// How a control looks and formats its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlKind {
    /// A fraction in [0, 1], shown as a percentage.
    Share,
    /// A plain number (engineers, engineer-days).
    Number,
    /// A period of the horizon, shown with its label ([`Info::period_labels`]).
    Period,
    /// A team's hires: rows of period and engineers.
    Hires,
}

/// A field of the file and its value as `--set` writes it.
#[derive(Clone, Debug, Serialize)]
pub struct FieldValue {
    /// The `--set` path.
    pub path: String,
    /// As written in the file, in `--set` syntax.
    pub value: String,
}

/// Which answer the page asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Few trials, plans only from the cache: fast.
    Preview,
    /// The full trial count, every plan solved.
    Full,
}

/// `POST /api/answer`.
#[derive(Clone, Debug, Deserialize)]
pub struct AnswerRequest {
    /// Identifies one open page: a newer request of the same session cancels older work.
    pub session: String,
    /// `--set` assignments, in order.
    #[serde(default)]
    pub sets: Vec<String>,
    /// Preview or refined.
    pub stage: Stage,
}

/// A refused input: the message `fulcrum` prints for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// The index of the `--set` it is about (`None`: the file, or several).
    pub set: Option<usize>,
    /// Rendered as `fulcrum` prints it, without colour.
    pub message: String,
}

/// What `POST /api/answer` returns.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reply {
    /// The answer to the request.
    Answer(Box<Answer>),
    /// The input is refused, with the messages `fulcrum` prints.
    Invalid {
        /// Every problem, each as `fulcrum` prints it.
        errors: Vec<InputError>,
    },
    /// A newer request of the same session replaced this one.
    Superseded,
}

/// The page's answer to one set of controls.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    /// `full` also for a preview that already has every trial and every plan.
    pub stage: Stage,
    /// Trials simulated.
    pub trials: u64,
    /// Trials of the refined answer to these settings.
    pub refined_trials: u64,
    /// Seed of the runs.
    pub seed: u64,
    /// Trials paired with the file's run for the differences from it.
    pub paired_trials: u64,
    /// Whether the `--set`s change nothing the simulation sees.
    pub unchanged: bool,
    /// Strategies simulated for this answer; the others are the file's run (their rule and
    /// world are the file's) or have no plan yet.
    pub simulated: usize,
    /// Each period's label, as in [`Info::period_labels`].
    pub period_labels: Vec<String>,
    /// One per strategy, in file order.
    pub strategies: Vec<StrategyAnswer>,
    /// One per initiative, in file order.
    pub initiatives: Vec<InitiativeAnswer>,
    /// One per key result, in file order.
    pub key_results: Vec<KeyResultAnswer>,
    /// Warnings about the changed scenario, as `fulcrum` prints them.
    pub warnings: Vec<String>,
    /// Whether this answer was remembered from an earlier identical request (its timings
    /// are the original's).
    pub remembered: bool,
    /// What had to be recomputed for this answer, in words ("the allocator's plan for
    /// `optimised`").
    pub recomputed: Vec<String>,
    /// Where the server's time went.
    pub timings: Timings,
}

/// Where the server's time went, in milliseconds.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Timings {
    /// Applying the `--set`s and compiling.
    pub compile_ms: f64,
    /// Looking up or solving plans.
    pub plan_ms: f64,
    /// The file's own run (0 when cached).
    pub baseline_ms: f64,
    /// Simulating the changed strategies.
    pub simulate_ms: f64,
    /// All of it, on the server.
    pub total_ms: f64,
}

/// Whether a strategy could be simulated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyStatus {
    /// Simulated (or taken from the file's run: the same rule in the same world).
    Simulated,
    /// Its plan is being recomputed: the refined answer has it.
    Planning,
    /// The allocator found no plan; `message` says why.
    Infeasible,
}

/// One row of the headline table, its debt fan and its differences from the file.
#[derive(Clone, Debug, Serialize)]
pub struct StrategyAnswer {
    /// As in the file.
    pub name: String,
    /// The rule in words ("fixed share: 20% tech").
    pub rule: String,
    /// Whether it was simulated.
    pub status: StrategyStatus,
    /// Why not, when the allocator found no plan: its explanation.
    pub message: Option<String>,
    /// Blended score (0 to 1).
    pub blended: Option<Spread>,
    /// Paired difference of the blended score from the first strategy of this answer.
    pub vs_first: Option<Difference>,
    /// Probability that every product key result is met (`None`: there are none).
    pub p_product: Option<f64>,
    /// Probability that every technology key result is met (`None`: there are none).
    pub p_technology: Option<f64>,
    /// Final debt, engineer-days summed over teams.
    pub final_debt: Option<Spread>,
    /// Engineer-days lost to incidents over the horizon.
    pub incident_days: Option<Spread>,
    /// Debt at the end of each period: P10, P25, P50, P75, P90.
    pub debt: Option<Fan>,
    /// The same-named strategy of the file, paired trial by trial (`None`: no such strategy,
    /// or not simulated).
    pub versus_file: Option<VersusFile>,
    /// The split it executed in words, one clause per team and its phases ("web 10% tech
    /// through 2027-03-28 (period 6), then 60%"), as `run` and the report say it (empty: not
    /// simulated).
    pub split: Vec<String>,
    /// What it buys, in one sentence: each key result's chance, the P85 finish of initiatives
    /// with a deadline, final debt (`None`: not simulated).
    pub buys: Option<String>,
}

/// Mean and spread of one outcome.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
}

/// A paired difference: its mean, the 95% confidence interval of the mean, and the fraction
/// of trials in which it is above zero.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Difference {
    /// Mean difference.
    pub mean: f64,
    /// Low end of the 95% confidence interval of the mean.
    pub low: f64,
    /// High end of it.
    pub high: f64,
    /// Fraction of trials in which the difference is positive.
    pub p_higher: f64,
}

/// Quantile bands per period.
#[derive(Clone, Debug, Serialize)]
pub struct Fan {
    /// 10th percentile per period.
    pub p10: Vec<f64>,
    /// 25th percentile per period.
    pub p25: Vec<f64>,
    /// Median per period.
    pub p50: Vec<f64>,
    /// 75th percentile per period.
    pub p75: Vec<f64>,
    /// 90th percentile per period.
    pub p90: Vec<f64>,
}

/// A strategy against the same-named strategy of the file.
#[derive(Clone, Debug, Serialize)]
pub struct VersusFile {
    /// Blended score.
    pub blended: Difference,
    /// Product leadership's score.
    pub product_score: Difference,
    /// Technology leadership's score.
    pub technology_score: Difference,
    /// Of the 0/1 "every product key result met": the change in probability.
    pub p_product: Difference,
    /// Final debt, engineer-days.
    pub final_debt: Difference,
    /// Incident days.
    pub incident_days: Difference,
    /// The file's median debt per period, for the fan chart.
    pub debt_p50: Vec<f64>,
}

/// How one initiative finishes under each strategy (`None` where not simulated).
#[derive(Clone, Debug, Serialize)]
pub struct InitiativeAnswer {
    /// As in the file.
    pub id: String,
    /// `product` or `tech`.
    pub kind: String,
    /// The team doing it.
    pub team: String,
    /// Its deadline, when it has one.
    pub deadline: Option<usize>,
    /// One per strategy (`None`: not simulated).
    pub by_strategy: Vec<Option<Finish>>,
}

/// When an initiative finishes under one strategy.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Finish {
    /// Probability it finishes within the horizon.
    pub p_done: f64,
    /// Probability it finishes by its deadline (`None`: no deadline).
    pub p_by_deadline: Option<f64>,
    /// Finish period at P50, P85 and P95 (`None`: not within the horizon).
    pub p50: Option<usize>,
    /// Finish period at P85.
    pub p85: Option<usize>,
    /// Finish period at P95.
    pub p95: Option<usize>,
    /// The file's chance of meeting the deadline under the same-named strategy.
    pub file_p_by_deadline: Option<f64>,
}

/// How likely one key result is met under each strategy.
#[derive(Clone, Debug, Serialize)]
pub struct KeyResultAnswer {
    /// As in the file.
    pub id: String,
    /// `product` or `technology`.
    pub owner: String,
    /// The file's description.
    pub description: Option<String>,
    /// The period it is judged at.
    pub deadline: usize,
    /// One per strategy (`None`: not simulated).
    pub by_strategy: Vec<Option<KeyResultChance>>,
}

/// One key result under one strategy.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct KeyResultChance {
    /// Probability it is met at its deadline.
    pub p_met: f64,
    /// Mean attainment (0 to 1).
    pub attainment: f64,
    /// Under the file's same-named strategy.
    pub file_p_met: Option<f64>,
}

/// `GET /api/progress`: what the session's newest request is doing.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Progress {
    /// `idle`, `planning` or `simulating`.
    pub stage: String,
    /// What is being recomputed, in words.
    pub what: String,
    /// Trials done so far.
    pub done: u64,
    /// Trials to do (0: not counted, e.g. while planning).
    pub total: u64,
    /// Seconds since this stage started.
    pub elapsed: f64,
    /// How long the same work took last time, when known (seconds).
    pub expected: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_ranges_are_round() {
        assert_eq!(nice(7.0), 10.0);
        assert_eq!(nice(20.0), 20.0);
        assert_eq!(nice(1100.0), 2000.0);
        assert_eq!(nice(0.3), 1.0);
        let engineers = Control::number("teams.a.engineers", "engineers", 6.0, 16.0);
        assert_eq!((engineers.max, engineers.step), (20.0, 1.0));
        let half = Control::number("teams.a.engineers", "engineers", 4.5, 14.5);
        assert_eq!(half.step, 0.5);
        let ceiling = Control::number("strategies.d.ceiling", "ceiling", 450.0, 1100.0);
        assert_eq!((ceiling.max, ceiling.step), (2000.0, 20.0));
    }
}
