//! What `fulcrum sweep` prints: the frontier as a [`Table`] (per point and strategy the
//! blended and product scores, median final debt and mean incident days, each strategy's knee
//! marked), aligned for the terminal or rendered in another format by the kit.

use crate::model::Scenario;
use crate::simulate::SummaryMetric;
use crate::whatif::sweep::{self as sw, Point, Vary};

use crate::report::kit::table::{Align, Table};
use crate::words::numbers::{Unit, amount, percent};

/// The frontier `fulcrum sweep` prints: per point and strategy the blended and product
/// scores, median final debt and mean incident days, with each strategy's knee marked.
pub fn sweep_table(scenario: &Scenario, varies: &[Vary], points: &[Point]) -> String {
    sweep_headline(scenario, varies, points).aligned("")
}

/// The rows of [`sweep_table`], for any format.
pub fn sweep_headline(scenario: &Scenario, varies: &[Vary], points: &[Point]) -> Table {
    use SummaryMetric as M;
    let unit = Unit::of_scenario(scenario).short();
    let knees = crate::report::sweep::knees(points);
    let params: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let header = params.join(", ");
    let mut table = Table::new(&[
        (header.as_str(), Align::Left),
        ("strategy", Align::Left),
        ("blended", Align::Right),
        ("product score", Align::Right),
        ("debt P50", Align::Right),
        ("incidents", Align::Right),
        ("", Align::Left),
    ]);
    let mut labelled = None;
    for crate::report::sweep::Row {
        point: n,
        strategy: s,
        reference,
    } in crate::report::sweep::rows(varies, points)
    {
        let point = &points[n];
        let name = &point.results.strategies[s];
        // Each point's value once, on its first row; "every point" once above the references.
        let label = if reference {
            "every point".to_string()
        } else {
            let values: Vec<String> = point.values.iter().map(|&x| sw::format_value(x)).collect();
            values.join(", ")
        };
        let first = labelled.as_ref() != Some(&label);
        let r = &point.results;
        table.push(vec![
            if first { label.clone() } else { String::new() },
            name.clone(),
            format!("{:.3}", r.summary(s, M::BlendedScore).mean),
            percent(r.summary(s, M::ProductScore).mean),
            amount(r.summary(s, M::FinalDebt).at(0.5), unit),
            amount(r.summary(s, M::IncidentDays).mean, unit),
            if knees[s] == Some(n) && !reference {
                "← knee".to_string()
            } else {
                String::new()
            },
        ]);
        labelled = Some(label);
    }
    table
}
