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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PeriodLength;
    use crate::whatif::calibrate::smc;

    fn settings() -> Settings {
        Settings {
            horizon: 1,
            min_history: 16,
            step: 1,
            percentiles: vec![0.5, 0.9],
            sampler: smc::Settings::standard(0),
            bootstraps: vec![Method::Calibrated],
            period: PeriodLength::TWO_WEEKS,
            per_year: 26.0,
            window: None,
            trials: 100,
            priors: Vec::new(),
        }
    }

    /// Thirty origins whose truth runs 0, 1, …, 9 three times; `values` are the statements
    /// ("at least" at 50% and 90%) made at every one.
    fn forecasts(forecaster: Forecaster, values: [f64; 2]) -> Vec<Forecast> {
        (0..30)
            .map(|i| Forecast {
                origin: 16 + i,
                quantity: Quantity::Total,
                forecaster,
                values: values.to_vec(),
                chances: vec![0.5, 0.9],
                median: values[0],
                actual: (i % 10) as f64,
            })
            .collect()
    }

    fn judged(model: [f64; 2], bootstrap: [f64; 2]) -> Verdict {
        let s = settings();
        let ours = forecasts(Forecaster::Model, model);
        let theirs = forecasts(Forecaster::Bootstrap(Method::Calibrated), bootstrap);
        let present = vec![
            (Forecaster::Model, ours.iter().collect::<Vec<_>>()),
            (
                Forecaster::Bootstrap(Method::Calibrated),
                theirs.iter().collect(),
            ),
        ];
        let common: Vec<usize> = (16..46).collect();
        let records: Vec<Record> = present
            .iter()
            .map(|(w, f)| record(Quantity::Total, *w, f, &common, &s))
            .collect();
        verdict(Quantity::Total, &present, &records, &common, &s)
    }

    #[test]
    fn the_model_beats_the_bootstrap_only_when_calibrated_and_clearly_sharper() {
        // The truth's own quantiles (at least 4.5 half the time, at least 0.9 nine times in
        // ten) against "at least 0" always: right, and sharper.
        let v = judged([4.5, 0.9], [0.0, 0.0]);
        assert!(v.beats, "{}", v.text);
        assert!(
            v.text
                .starts_with("the debt model beats the calibrated bootstrap on all work")
        );
        // The roles swapped: the model's 50% statement comes true every time, which the
        // binomial test rejects, and it says so.
        let v = judged([0.0, 0.0], [4.5, 0.9]);
        assert!(!v.beats);
        assert!(
            v.text
                .contains("does not beat the calibrated bootstrap on all work: its P50 came true 100% of the time, not 50%"),
            "{}",
            v.text
        );
        // The same statements: no difference to speak of.
        let v = judged([4.5, 0.9], [4.5, 0.9]);
        assert!(!v.beats);
        assert!(
            v.text.contains("differ by less than the noise"),
            "{}",
            v.text
        );
        assert_eq!(v.difference, Some(0.0));
    }
}
