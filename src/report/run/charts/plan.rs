//! The optimised plan: the tech share the policy gives each team in each period (with its
//! guardrails), over the work the strategy's trials did on average against their capacity,
//! so that idle capacity shows as the gap under the capacity line.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{capacity_layers, capacity_of, mean_of};
use crate::model::Scenario;
use crate::pipeline::{PlanFor, StrategyPlan};
use crate::report::kit::charts::axis::PeriodAxis;
use crate::report::kit::charts::fan::{FanChart, FanSeries, fan_chart};
use crate::report::kit::charts::frame::{legend, titled};
use crate::report::kit::charts::stacked::{StackPanel, StackStyle, StackedPanels, stacked_panel};
use crate::report::kit::charts::style::palette;
use crate::report::kit::charts::{Figure, Plot, SLIDE};
use crate::simulate::policy::Share;
use crate::simulate::{PeriodMetric, Results};

/// The tech share an optimised policy gives each team in each period, with its guardrails.
pub fn share_chart(scenario: &Scenario, plan: &StrategyPlan, axis: &PeriodAxis) -> FanChart {
    let policy = &plan.found.candidate.policy;
    let series = scenario
        .teams
        .iter()
        .enumerate()
        .map(|(j, team)| {
            let shares: Vec<f64> = (1..=scenario.periods)
                .map(|t| policy.tech_share(j, t, 0.0) * 100.0)
                .collect();
            FanSeries::exact(team.name.clone(), palette::series(j), shares)
        })
        .collect();
    let g = plan.objective.guardrails;
    let mut references = Vec::new();
    if g.min_tech_share > 0.0 {
        references.push((g.min_tech_share * 100.0, "minimum".to_string()));
    }
    if g.max_tech_share < 1.0 {
        references.push((g.max_tech_share * 100.0, "maximum".to_string()));
    }
    FanChart {
        title: format!("Tech share per team under {}", plan.of.name(scenario)),
        y_label: "tech share (%)".into(),
        axis: axis.clone(),
        series,
        highlight: None,
        y_range: Some((0.0, 100.0)),
        references,
        key: Some(format!(
            "policy: {}; black lines: guardrails",
            plan.found.candidate.label
        )),
    }
}

/// The strategy's mean work per period, all teams, under its effective capacity.
fn work_chart(results: &Results, s: usize, axis: &PeriodAxis) -> StackedPanels {
    let layers: Vec<_> = capacity_layers().into_iter().take(4).collect();
    StackedPanels {
        title: String::new(),
        y_label: "engineer-days".into(),
        axis: axis.clone(),
        line: Some((
            "capacity after drag (the gap below it is idle)".into(),
            palette::INK,
        )),
        panels: vec![StackPanel {
            name: format!(
                "Mean work per period under {}, all teams",
                results.strategies[s]
            ),
            layers: capacity_of(results, s, layers.len()),
            line: mean_of(results, s, PeriodMetric::EffectiveCapacity),
        }],
        layers,
        style: StackStyle::Area,
    }
}

/// The plan figure: shares on top, work against capacity below.
struct PlanFigure {
    shares: FanChart,
    work: Option<StackedPanels>,
}

impl Figure for PlanFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        let Some(work) = &self.work else {
            return self.shares.draw(root);
        };
        let area = titled(root, &self.shares.title)?;
        let (_, h) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(h / 2);
        fan_chart(&legend(&top, &self.shares.legend_items())?, &self.shares)?;
        let bottom = legend(&bottom, &work.legend_items())?;
        let y_max = work.y_max();
        stacked_panel(&bottom, work, &work.panels[0], y_max, true)
    }
}

/// `plots/plan` (`plan-2`, … with several): every optimised plan whose policy is a schedule
/// or a fixed share (a debt ceiling has no per-period shares to show).
pub fn charts(
    folder: &Path,
    scenario: &Scenario,
    results: &Results,
    allocations: &[StrategyPlan],
    axis: &PeriodAxis,
) -> Result<Vec<Plot>> {
    let charted: Vec<&StrategyPlan> = allocations
        .iter()
        .filter(|plan| !matches!(plan.found.candidate.policy.share, Share::DebtCeiling { .. }))
        .collect();
    let mut plots = Vec::new();
    for (n, plan) in charted.iter().enumerate() {
        let work = match plan.of {
            PlanFor::Strategy(s) if s < results.strategies.len() && results.periods() > 0 => {
                Some(work_chart(results, s, axis))
            }
            _ => None,
        };
        let figure = PlanFigure {
            shares: share_chart(scenario, plan, axis),
            work,
        };
        let stem = if charted.len() == 1 {
            "plots/plan".to_string()
        } else {
            format!("plots/plan-{}", n + 1)
        };
        let size = if figure.work.is_some() {
            (SLIDE.0, 1000)
        } else {
            SLIDE
        };
        let caption = "Top: the tech share the optimised policy gives each team in each period \
                       (the rest of the team's capacity goes to product work first; the lines \
                       are the guardrails). Bottom: the mean work of its trials per period, \
                       all teams, under the capacity left after drag: the gap is idle capacity."
            .to_string();
        plots.push(Plot::draw(
            folder,
            &stem,
            &figure.shares.title,
            caption,
            size,
            &figure,
        )?);
    }
    Ok(plots)
}
