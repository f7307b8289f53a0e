//! How the walk's forecasts are judged: each forecaster's coverage per percentile and quantile
//! score on one quantity ([`record`]), and whether the debt model beats the yardstick
//! bootstrap on it ([`verdict`]).

use crate::model::throughput::Method;
use crate::simulate::forecast::backtest::{self, Question, Score};

use super::{Forecast, Forecaster, Quantity, Record, Settings, Verdict};

/// Each scored forecast counts `min(1, step ÷ horizon)` independent checks: forecasts closer
/// than the horizon share part of their future.
fn independence(settings: &Settings) -> f64 {
    (settings.step as f64 / settings.horizon as f64).min(1.0)
}

pub(super) fn record(
    quantity: Quantity,
    forecaster: Forecaster,
    forecasts: &[&Forecast],
    common: &[usize],
    settings: &Settings,
) -> Record {
    let coverage = settings
        .percentiles
        .iter()
        .enumerate()
        .map(|(k, &q)| {
            let hits = forecasts.iter().filter(|f| f.hit(k)).count();
            // A corrected bootstrap claims the percentile; the model and the classic bootstrap
            // the chance their own distributions give (at least it: answers come in steps).
            let claimed = match forecaster {
                Forecaster::Bootstrap(Method::Calibrated) => q,
                _ => forecasts.iter().map(|f| f.chances[k]).sum::<f64>() / forecasts.len() as f64,
            };
            backtest::calibration(
                Question::HowMany,
                q,
                forecasts.len(),
                hits,
                claimed,
                independence(settings),
            )
        })
        .collect();
    let scored: Vec<&&Forecast> = forecasts
        .iter()
        .filter(|f| common.binary_search(&f.origin).is_ok())
        .collect();
    let score = (!scored.is_empty()).then(|| {
        let n = scored.len() as f64;
        let errors: Vec<f64> = scored.iter().map(|f| f.actual - f.median).collect();
        Score {
            question: Question::HowMany,
            forecasts: scored.len(),
            quantile_score: scored
                .iter()
                .map(|f| f.loss(&settings.percentiles))
                .sum::<f64>()
                / n,
            mean_error: errors.iter().sum::<f64>() / n,
            mean_absolute_error: errors.iter().map(|e| e.abs()).sum::<f64>() / n,
        }
    });
    Record {
        quantity,
        forecaster,
        coverage,
        score,
    }
}

pub(super) fn verdict(
    quantity: Quantity,
    present: &[(Forecaster, Vec<&Forecast>)],
    records: &[Record],
    common: &[usize],
    settings: &Settings,
) -> Verdict {
    let model = records.iter().find(|r| r.forecaster == Forecaster::Model);
    let against = settings.bootstraps.first().and_then(|m| {
        present
            .iter()
            .find(|(w, _)| *w == Forecaster::Bootstrap(*m))
    });
    let (Some(model), Some((yardstick, theirs))) = (model, against) else {
        return Verdict {
            quantity,
            against: None,
            beats: false,
            difference: None,
            standard_error: None,
            text: match (quantity, settings.bootstraps.first()) {
                (Quantity::KtloShare, _) | (_, None) => format!(
                    "no bootstrap forecasts the {}: only the model's coverage is checked",
                    quantity.words()
                ),
                (_, Some(m)) => format!(
                    "the {m} bootstrap forecast {} at none of these origins (the periods before them finished none of it): only the model's coverage is checked",
                    quantity.words()
                ),
            },
        };
    };
    let name = yardstick.as_str();
    let ours = &present[0].1;
    let diffs: Vec<f64> = common
        .iter()
        .filter_map(|o| {
            let a = ours.iter().find(|f| f.origin == *o)?;
            let b = theirs.iter().find(|f| f.origin == *o)?;
            Some(a.loss(&settings.percentiles) - b.loss(&settings.percentiles))
        })
        .collect();
    let n = diffs.len() as f64;
    let mean = diffs.iter().sum::<f64>() / n.max(1.0);
    let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let se = (var / (n * independence(settings)).max(1.0)).sqrt();
    let scores = match (
        model.score.as_ref(),
        records.iter().find(|r| r.forecaster == *yardstick),
    ) {
        (Some(a), Some(Record { score: Some(b), .. })) => format!(
            "quantile score {:.3} against {:.3}",
            a.quantile_score, b.quantile_score
        ),
        _ => "no common origin to score".into(),
    };
    let missed: Vec<String> = model
        .coverage
        .iter()
        .filter(|c| matches!(c.verdict(), "too optimistic" | "too cautious"))
        .map(|c| {
            format!(
                "its P{:.0} came true {:.0}% of the time, not {:.0}%",
                100.0 * c.percentile,
                100.0 * c.observed,
                100.0 * c.claimed
            )
        })
        .collect();
    let beats = missed.is_empty() && n > 0.0 && mean < -2.0 * se;
    let text = if beats {
        format!(
            "the debt model beats the {name} bootstrap on {}: {scores}, and its percentiles pass the test",
            quantity.words()
        )
    } else if !missed.is_empty() {
        format!(
            "the debt model does not beat the {name} bootstrap on {}: {} ({scores})",
            quantity.words(),
            missed.join("; ")
        )
    } else if n == 0.0 {
        format!(
            "the debt model does not beat the {name} bootstrap on {}: no common origin to score",
            quantity.words()
        )
    } else if mean > 2.0 * se {
        format!(
            "the debt model does not beat the {name} bootstrap on {}: its forecasts score worse ({scores})",
            quantity.words()
        )
    } else {
        format!(
            "the debt model does not beat the {name} bootstrap on {}: the scores differ by less than the noise ({scores}, difference {mean:.3} ± {se:.3})",
            quantity.words()
        )
    };
    Verdict {
        quantity,
        against: Some(name.to_string()),
        beats,
        difference: (n > 0.0).then_some(mean),
        standard_error: (n > 0.0).then_some(se),
        text,
    }
}
