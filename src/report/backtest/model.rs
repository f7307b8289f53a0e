//! Outputs of `fulcrum backtest --export`: every "at least N" statement of the debt model and
//! of the bootstraps against what happened (`model-backtest.csv`, tidy), the coverage, scores
//! and verdicts (`model-backtest.json`), a self-contained `report.html` and the terminal
//! table.

use std::fmt::Write;

use anyhow::Result;

use crate::report::kit::csv::CsvWriter;
use crate::report::kit::output::{Destination, OutputDir};
use crate::report::kit::page::{escape, page_start};
use crate::whatif::calibrate::walk::{Forecaster, ModelBacktest, Quantity, Record, Verdict};
use crate::words::numbers::num;

use super::{method_words, name, p_value};

/// What `model-backtest.json` records besides the results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelInfo {
    /// Version of fulcrum that ran the backtest.
    pub fulcrum_version: String,
    /// The exports read, each with its format.
    pub files: Vec<String>,
    /// The team backtested.
    pub team: String,
    /// Length of one period.
    pub period: String,
    /// First day of the team's first period.
    pub first_day: String,
    /// Periods of the team's history.
    pub periods: usize,
    /// Periods forecast after each origin.
    pub horizon: usize,
    /// The first origin.
    pub min_history: usize,
    /// Periods between the model's origins.
    pub step: usize,
    /// The chances of the "at least N" statements, e.g. 0.85.
    pub percentiles: Vec<f64>,
    /// The bootstraps judged beside the model; the first is the verdicts' yardstick.
    pub bootstraps: Vec<String>,
    /// Particles of each origin's calibration.
    pub particles: usize,
    /// Most simulations of each origin's calibration.
    pub max_simulations: u64,
    /// Master seed.
    pub seed: u64,
    /// Monte Carlo trials of each bootstrap forecast.
    pub trials_per_forecast: u64,
    /// The `--priors` file each origin's prior took marginals from, if any.
    pub priors_file: Option<String>,
    /// Worker threads.
    pub threads: usize,
    /// Wall-clock seconds, before the files were written.
    pub seconds: f64,
    /// Simulations the model's calibrations and forecasts ran.
    pub simulations: u64,
}

/// The backtest and how to label it.
#[derive(Clone, Debug)]
pub struct ModelLabelled<'a> {
    /// The results.
    pub backtest: &'a ModelBacktest,
    /// What the JSON records besides them.
    pub info: &'a ModelInfo,
}

/// One percentile's coverage in the JSON.
#[derive(serde::Serialize)]
struct CoverageJson {
    percentile: f64,
    forecasts: usize,
    right: usize,
    observed: f64,
    claimed: f64,
    effective_checks: f64,
    p_value: f64,
    verdict: &'static str,
}

/// One forecaster's record in the JSON.
#[derive(serde::Serialize)]
struct RecordJson {
    quantity: Quantity,
    method: &'static str,
    coverage: Vec<CoverageJson>,
    /// Scored on the origins every method of the quantity forecast.
    scored: Option<usize>,
    quantile_score: Option<f64>,
    mean_error: Option<f64>,
    mean_absolute_error: Option<f64>,
}

#[derive(serde::Serialize)]
struct OmittedJson {
    quantity: Quantity,
    why: String,
}

#[derive(serde::Serialize)]
struct Json<'a> {
    #[serde(flatten)]
    info: &'a ModelInfo,
    origins: &'a [usize],
    verdicts: &'a [Verdict],
    records: Vec<RecordJson>,
    omitted: Vec<OmittedJson>,
}

fn record_json(r: &Record) -> RecordJson {
    RecordJson {
        quantity: r.quantity,
        method: r.forecaster.as_str(),
        coverage: r
            .coverage
            .iter()
            .map(|c| CoverageJson {
                percentile: c.percentile,
                forecasts: c.forecasts,
                right: c.hits,
                observed: c.observed,
                claimed: c.claimed,
                effective_checks: c.effective,
                p_value: c.p_value,
                verdict: c.verdict(),
            })
            .collect(),
        scored: r.score.as_ref().map(|s| s.forecasts),
        quantile_score: r.score.as_ref().map(|s| s.quantile_score),
        mean_error: r.score.as_ref().map(|s| s.mean_error),
        mean_absolute_error: r.score.as_ref().map(|s| s.mean_absolute_error),
    }
}

/// `model-backtest.csv`: one row per origin, quantity, method and percentile: the statement
/// ("at least `stated`"), what happened and whether it came true.
pub fn forecasts_csv(b: &ModelLabelled) -> Result<Vec<u8>> {
    let mut w = CsvWriter::new([
        "origin",
        "quantity",
        "method",
        "percentile",
        "stated",
        "actual",
        "hit",
    ])?;
    for f in &b.backtest.forecasts {
        for (k, q) in b.info.percentiles.iter().enumerate() {
            w.row([
                f.origin.to_string().as_str(),
                f.quantity.as_str(),
                f.forecaster.as_str(),
                &num(*q),
                &num(f.values[k]),
                &num(f.actual),
                if f.hit(k) { "true" } else { "false" },
            ])?;
        }
    }
    w.finish()
}

/// Writes every output into `target` (atomically).
pub fn write(target: &Destination, b: &ModelLabelled) -> Result<()> {
    let dir = OutputDir::create(target, "backtest")?;
    dir.write("model-backtest.csv", &forecasts_csv(b)?)?;
    let json = Json {
        info: b.info,
        origins: &b.backtest.origins,
        verdicts: &b.backtest.verdicts,
        records: b.backtest.records.iter().map(record_json).collect(),
        omitted: b
            .backtest
            .omitted
            .iter()
            .map(|(q, why)| OmittedJson {
                quantity: *q,
                why: why.clone(),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&json)?;
    bytes.push(b'\n');
    dir.write("model-backtest.json", &bytes)?;
    dir.write("report.html", page(b).as_bytes())?;
    dir.commit()
}

fn method_name(f: Forecaster) -> String {
    match f {
        Forecaster::Model => "the debt model, calibrated at each origin".into(),
        Forecaster::Bootstrap(m) => format!("{m} bootstrap ({})", method_words(m)),
    }
}

/// A share as a percentage, a count as it is.
fn value(q: Quantity, x: f64) -> String {
    match q {
        Quantity::KtloShare => format!("{:.1}%", 100.0 * x),
        _ => format!("{x:.2}"),
    }
}

/// The terminal table: per quantity, each method's coverage and score, then the verdict.
pub fn summary(b: &ModelLabelled) -> String {
    let (i, m) = (b.info, b.backtest);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Whole-model backtest of team {}: {} from period {} of {}, every {} periods, each forecasting the next {} periods",
        i.team,
        crate::words::numbers::counted(m.origins.len() as u64, "origin", "origins"),
        i.min_history,
        i.periods,
        i.step,
        i.horizon
    );
    let pct: Vec<String> = i.percentiles.iter().map(|q| name(*q)).collect();
    let _ = writeln!(
        out,
        "  {:<25} {:<11} {}  {:>8}",
        "quantity",
        "method",
        pct.iter().map(|p| format!("{p:>13}")).collect::<String>(),
        "score"
    );
    for q in Quantity::ALL {
        for r in m.records.iter().filter(|r| r.quantity == q) {
            let cells: String = r
                .coverage
                .iter()
                .map(|c| {
                    let flag = match c.verdict() {
                        "too optimistic" | "too cautious" => "!",
                        _ => " ",
                    };
                    format!(
                        "{:>5.0}% of {:>3.0}%{flag}",
                        100.0 * c.observed,
                        100.0 * c.claimed
                    )
                })
                .collect();
            let score = r
                .score
                .as_ref()
                .map_or("-".into(), |s| value(q, s.quantile_score));
            let _ = writeln!(
                out,
                "  {:<25} {:<11} {cells}  {score:>8}",
                q.words(),
                r.forecaster.as_str()
            );
        }
        if let Some(v) = m.verdicts.iter().find(|v| v.quantity == q) {
            let _ = writeln!(out, "  → {}", v.text);
        }
    }
    for (q, why) in &m.omitted {
        let _ = writeln!(out, "  note: {} not backtested: {why}", q.words());
    }
    let _ = writeln!(
        out,
        "Cells: how often \"at least N\" came true, of the chance claimed (! = the exact binomial test rejects the claim); score: mean quantile loss, lower is better."
    );
    out
}

fn page(b: &ModelLabelled) -> String {
    let (i, m) = (b.info, b.backtest);
    let mut h = String::new();
    page_start(&mut h, "Whole-model backtest — fulcrum");
    let _ = writeln!(
        h,
        "<h1>Does the debt model forecast better than the bootstrap?</h1>\n<p class=\"question\">Team {}: {} origins from period {} of {} ({} periods), every {} periods; each forecasts the next {} periods. Read from {}.</p>",
        escape(&i.team),
        m.origins.len(),
        i.min_history,
        i.periods,
        escape(&i.period),
        i.step,
        i.horizon,
        escape(&i.files.join(", "))
    );
    let _ = writeln!(
        h,
        "<p class=\"muted\">At each origin the debt model is calibrated on the periods before it ({} particles) and forecasts each bucket from its posterior predictive, at the split the history ended on; the bootstrap resamples the bucket's own series. Each statement says “at least N with chance q”. A verdict on a percentile is an exact binomial test of how often it came true against the chance claimed, on the independent checks; the quantile score is the mean pinball loss (lower is better; Gneiting &amp; Raftery 2007). The model beats the bootstrap only when its percentiles pass the test and its score is lower by more than twice the standard error of the paired difference.</p>",
        i.particles
    );
    let _ = writeln!(h, "<h2>Verdicts</h2>\n<ul>");
    for v in &m.verdicts {
        // A quantity with no yardstick is not a loss: said quietly.
        let class = match (v.beats, &v.against) {
            (true, _) => "",
            (false, None) => " class=\"muted\"",
            (false, Some(_)) => " class=\"low\"",
        };
        let _ = writeln!(h, "<li{class}>{}</li>", escape(&v.text));
    }
    for (q, why) in &m.omitted {
        let _ = writeln!(
            h,
            "<li class=\"muted\">{} not backtested: {}</li>",
            escape(q.words()),
            escape(why)
        );
    }
    let _ = writeln!(h, "</ul>\n<h2>Coverage and score per quantity</h2>");
    let _ = write!(h, "<table>\n<tr><th>quantity</th><th>method</th>");
    for q in &i.percentiles {
        let _ = write!(h, "<th>{} right (claimed)</th>", name(*q));
    }
    let _ = writeln!(h, "<th>quantile score</th><th>median off by</th></tr>");
    for q in Quantity::ALL {
        for r in m.records.iter().filter(|r| r.quantity == q) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td title=\"{}\">{}</td>",
                escape(q.words()),
                escape(&method_name(r.forecaster)),
                r.forecaster.as_str()
            );
            for c in &r.coverage {
                let rejected = matches!(c.verdict(), "too optimistic" | "too cautious");
                let _ = write!(
                    h,
                    "<td{}>{:.0}% ({:.0}%) <span class=\"muted\">{}, p = {}</span></td>",
                    if rejected { " class=\"low\"" } else { "" },
                    100.0 * c.observed,
                    100.0 * c.claimed,
                    c.verdict(),
                    p_value(c.p_value)
                );
            }
            match &r.score {
                Some(s) => {
                    let _ = writeln!(
                        h,
                        "<td>{} <span class=\"muted\">on {}</span></td><td>{}</td></tr>",
                        value(q, s.quantile_score),
                        s.forecasts,
                        value(q, s.mean_error)
                    );
                }
                None => {
                    let _ = writeln!(h, "<td>–</td><td>–</td></tr>");
                }
            }
        }
    }
    let _ = writeln!(
        h,
        "</table>\n<p class=\"muted\">{}{}; seed {}; {} trials per bootstrap forecast; {:.1} s on {} threads. Every statement: model-backtest.csv; coverage, scores and verdicts: model-backtest.json.</p>",
        crate::words::numbers::counted(m.simulations, "model simulation", "model simulations"),
        i.priors_file.as_ref().map_or_else(String::new, |f| format!(
            " under the priors of {}",
            escape(f)
        )),
        i.seed,
        i.trials_per_forecast,
        i.seconds,
        i.threads
    );
    h.push_str("</body>\n</html>\n");
    h.replace("<table>", "<div style=\"overflow-x:auto\"><table>")
        .replace("</table>", "</table></div>")
}
