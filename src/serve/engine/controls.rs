//! The page's controls for a scenario: the sliders of each strategy's rule (a schedule's
//! phases as its file writes them) and of each team's staff, each writing one `--set` path.

use crate::model::{self, Rule};
use crate::scenario::Document;
use crate::scenario::schedule::WrittenPhases;

use super::super::shapes::{Control, ControlGroup};
use super::Compiled;

impl Compiled {
    /// The controls for this scenario, written as `document`: the blend, each strategy's
    /// parameters, each team's engineers and hires (teams measured in capacity have none).
    pub fn controls(&self, document: &Document) -> Vec<ControlGroup> {
        let sc = &self.scenario;
        let mut groups = vec![ControlGroup {
            title: "Blend".into(),
            controls: vec![Control::share(
                "okrs.blend",
                "weight of product's key results",
                sc.blend,
            )],
        }];
        let debt_scale = sc
            .teams
            .iter()
            .map(|t| t.debt_initial.mean())
            .fold(0.0, f64::max);
        for strategy in &sc.strategies {
            let mut controls = rule_controls(strategy, debt_scale);
            let lists = document.written_phases(sc, &strategy.name);
            // `phases` is for the teams without a list of their own: named when not all.
            let rest: Vec<&str> = sc
                .teams
                .iter()
                .map(|t| t.name.as_str())
                .filter(|name| !lists.iter().any(|l| l.team.as_deref() == Some(name)))
                .collect();
            for list in &lists {
                let who = match &list.team {
                    Some(team) => team.clone(),
                    None if rest.len() < sc.teams.len() => rest.join(", "),
                    None => String::new(),
                };
                controls.extend(phase_controls(list, &who, sc.periods));
            }
            groups.push(ControlGroup {
                title: format!("Strategy {}", strategy.name),
                controls,
            });
        }
        for team in &sc.teams {
            let model::Workforce::Engineers(staff) = &team.workforce else {
                continue;
            };
            let at = |field: &str| format!("teams.{}.{field}", team.name);
            let engineers = staff.engineers;
            let max = (2.0 * engineers).max(engineers + 10.0);
            let hires = staff
                .hires
                .iter()
                .map(|h| (h.period, h.engineers))
                .collect();
            groups.push(ControlGroup {
                title: format!("Team {}", team.name),
                controls: vec![
                    Control::number(&at("engineers"), "engineers", engineers, max),
                    Control::hires(&at("hires"), hires, sc.periods),
                ],
            });
        }
        groups
    }
}

/// The sliders of `strategy`'s rule: its share, its ceiling and shares (the ceiling's slider
/// reaching at least twice the teams' largest mean initial debt, `debt_scale`), or its
/// guardrails.
fn rule_controls(strategy: &model::Strategy, debt_scale: f64) -> Vec<Control> {
    let at = |field: &str| format!("strategies.{}.{field}", strategy.name);
    match strategy.rule {
        Rule::FixedShare { tech_share } => {
            vec![Control::share(&at("tech_share"), "tech share", tech_share)]
        }
        Rule::DebtCeiling {
            ceiling,
            above,
            below,
        } => {
            let max = (2.0 * ceiling).max(2.0 * debt_scale).max(100.0);
            let label = "debt ceiling (engineer-days)";
            vec![
                Control::number(&at("ceiling"), label, ceiling, max),
                Control::share(&at("above"), "tech share above the ceiling", above),
                Control::share(&at("below"), "tech share below it", below),
            ]
        }
        Rule::Optimised {
            min_tech_share,
            max_tech_share,
            ..
        } => vec![
            Control::share(
                &at("min_tech_share"),
                "at least this tech share",
                min_tech_share,
            ),
            Control::share(
                &at("max_tech_share"),
                "at most this tech share",
                max_tech_share,
            ),
        ],
        // A schedule's sliders are its phases as written: `phase_controls`.
        Rule::Schedule { .. } => Vec::new(),
        // A reactive rule has no sliders yet: change it in the file or with `--set`.
        Rule::Reactive(_) => Vec::new(),
    }
}

/// The sliders of one written list of a schedule's phases, for `who` (the teams it is for,
/// or "" for every team): each phase's tech share and, but for the last (which runs to the
/// end), the last period of the horizon's `periods` it holds for.
fn phase_controls(list: &WrittenPhases, who: &str, periods: usize) -> Vec<Control> {
    let n = list.phases.len();
    let mut controls = Vec::new();
    for (k, phase) in list.phases.iter().enumerate() {
        let name = match (who.is_empty(), n) {
            (true, 1) => String::new(),
            (true, _) => format!("phase {}: ", k + 1),
            (false, 1) => format!("{who}: "),
            (false, _) => format!("{who}, phase {}: ", k + 1),
        };
        let at = |field: &str| format!("{}.{k}.{field}", list.path);
        controls.push(Control::share(
            &at("tech_share"),
            &format!("{name}tech share"),
            phase.tech_share,
        ));
        if k + 1 < n {
            controls.push(Control::period(
                &at("until"),
                &format!("{name}last period"),
                phase.last,
                periods,
            ));
        }
    }
    controls
}
