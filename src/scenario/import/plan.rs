//! The plan `fulcrum import --plan` compares the exports with: a `plan.csv` as `fulcrum plan`
//! (or `run`) writes it (`strategy, policy, team, period, date, tech_share`, the date being
//! the period's last day), or a scenario whose strategy sets a fixed share. Either way, one
//! strategy's planned tech share per team and period, with each period's first and last day.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::history::actual::Planned;
use crate::model::{Date, Rule};
use crate::scenario::{self, LoadError};

use super::table::Table;
use super::{ImportProblem, escaped, quoted, quoted_cell, source};

/// One strategy's plan, to compare with what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanToCompare {
    /// The file it came from.
    pub file: String,
    /// The strategy compared.
    pub strategy: String,
    /// Its tech share per team and period, by team, then period.
    pub rows: Vec<Planned>,
}

/// Reads the plan at `path`: a `.csv` is a `plan.csv`, anything else a scenario file.
/// `strategy` picks one of several; without it, the file must hold exactly one.
pub fn read(path: &Path, strategy: Option<&str>) -> Result<PlanToCompare, ImportProblem> {
    let file = escaped(path.display().to_string());
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let (chosen, rows) = if is_csv {
        from_csv(path, &file, strategy)?
    } else {
        from_scenario(path, &file, strategy)?
    };
    Ok(PlanToCompare {
        file,
        strategy: chosen,
        rows,
    })
}

/// The one strategy of `names` that `wanted` names, or the only one.
fn choose(file: &str, names: &[String], wanted: Option<&str>) -> Result<String, ImportProblem> {
    let listed = || quoted(&names.iter().map(String::as_str).collect::<Vec<_>>());
    match wanted {
        Some(w) if names.iter().any(|n| n == w) => Ok(w.to_string()),
        Some(w) => Err(ImportProblem {
            help: Some(format!("its strategies are {}", listed())),
            ..ImportProblem::file(
                file,
                format!("--strategy: the plan has no strategy `{}`", quoted_cell(w)),
            )
        }),
        None if names.len() == 1 => Ok(names[0].clone()),
        None if names.is_empty() => Err(ImportProblem::file(file, "the plan has no strategy")),
        None => {
            // An imported scenario's `as-is` is the split its export showed, not a plan.
            let seen = match names.iter().any(|n| n == "as-is") {
                true => " (`as-is` is the split an import saw, not a plan)",
                false => "",
            };
            Err(ImportProblem {
                help: Some(format!("give --strategy NAME, one of {}{seen}", listed())),
                ..ImportProblem::file(
                    file,
                    "the plan has several strategies: which one to compare?",
                )
            })
        }
    }
}

/// A `plan.csv`'s rows of one strategy.
fn from_csv(
    path: &Path,
    file: &str,
    strategy: Option<&str>,
) -> Result<(String, Vec<Planned>), ImportProblem> {
    let text = source::read(path, file)?;
    let table = Table::read(file, text.strip_prefix('\u{feff}').unwrap_or(&text))?;
    let mut cols = Vec::new();
    for name in ["strategy", "team", "period", "date", "tech_share"] {
        cols.push(table.column(name)?.ok_or_else(|| {
            ImportProblem {
            line: Some(1),
            help: Some(
                "give the plan.csv that `fulcrum plan SCENARIO` writes (strategy, policy, team, \
                 period, date, tech_share), or the scenario itself"
                    .into(),
            ),
            ..ImportProblem::file(file, format!("the plan has no `{name}` column"))
        }
        })?);
    }
    let rows = table.rows(|row| {
        let cell = |k: usize| row.cell(Some(cols[k]));
        let bad = |k: usize, what: &str| {
            table.problem(
                row,
                Some(cols[k]),
                format!("`{}` is not {what}", quoted_cell(cell(k))),
            )
        };
        let period: usize = cell(2)
            .parse()
            .ok()
            .filter(|&p| p >= 1)
            .ok_or_else(|| bad(2, "a period number"))?;
        let end: Date = cell(3).parse().map_err(|_| bad(3, "a date (YYYY-MM-DD)"))?;
        let share = match cell(4) {
            "" => None,
            s => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| bad(4, "a tech share between 0 and 1"))?,
            ),
        };
        Ok((
            escaped(cell(0).to_string()),
            escaped(cell(1).to_string()),
            period,
            end,
            share,
        ))
    })?;
    let mut names: Vec<String> = rows.items.iter().map(|r| r.0.clone()).collect();
    names.dedup();
    names.sort();
    names.dedup();
    let chosen = choose(file, &names, strategy)?;
    let mut by_team: BTreeMap<String, BTreeMap<usize, (Date, Option<f64>)>> = BTreeMap::new();
    for (s, team, period, end, share) in rows.items {
        if s == chosen {
            by_team
                .entry(team)
                .or_default()
                .insert(period, (end, share));
        }
    }
    let mut planned = Vec::new();
    for (team, periods) in by_team {
        let ends: Vec<(usize, Date, Option<f64>)> =
            periods.into_iter().map(|(p, (e, s))| (p, e, s)).collect();
        for (k, &(period, end, share)) in ends.iter().enumerate() {
            let start = match k {
                0 => first_start(&ends).ok_or_else(|| {
                    ImportProblem::file(
                        file,
                        format!(
                            "team `{}` has one period in the plan: its first day cannot be told",
                            quoted_cell(&team)
                        ),
                    )
                })?,
                _ => ends[k - 1].1.add_days(1),
            };
            planned.push(Planned {
                team: team.clone(),
                period,
                start,
                end,
                share,
            });
        }
    }
    Ok((chosen, planned))
}

/// The first day of the first period, from the last days of the first two: a month (or
/// quarter) back when both are a month's last day, else as many days back as the second
/// period has.
fn first_start(ends: &[(usize, Date, Option<f64>)]) -> Option<Date> {
    let (first, second) = (ends.first()?.1, ends.get(1)?.1);
    let month_end = |d: Date| d.add_days(1).day == 1;
    if month_end(first) && month_end(second) {
        let months = i64::from(second.year) * 12 + i64::from(second.month)
            - (i64::from(first.year) * 12 + i64::from(first.month));
        let back = first.add_months(-(months - 1));
        return Some(Date { day: 1, ..back });
    }
    Some(first.add_days(first.to_days() - second.to_days() + 1))
}

/// A scenario's fixed-share strategy, planned for every team and period.
fn from_scenario(
    path: &Path,
    file: &str,
    strategy: Option<&str>,
) -> Result<(String, Vec<Planned>), ImportProblem> {
    let loaded = scenario::load(path, &[]).map_err(|e| {
        let why = match e {
            LoadError::Invalid(problems) => problems.render(false),
            other => other.to_string(),
        };
        ImportProblem::file(file, format!("--plan: the scenario does not load: {why}"))
    })?;
    let sc = &loaded.scenario;
    let names: Vec<String> = sc.strategies.iter().map(|s| s.name.clone()).collect();
    let chosen = choose(file, &names, strategy)?;
    let rule = sc
        .strategies
        .iter()
        .find(|s| s.name == chosen)
        .map(|s| s.rule.clone())
        .expect("the chosen strategy is one of the scenario's");
    let Rule::FixedShare { tech_share } = rule else {
        return Err(ImportProblem {
            help: Some(format!(
                "run `fulcrum plan {}` and give the plan.csv it writes to --plan",
                path.display()
            )),
            ..ImportProblem::file(
                file,
                format!(
                    "strategy `{}` is {}: its tech share follows the simulation, so the scenario \
                     alone does not say what was planned",
                    quoted_cell(&chosen),
                    rule.as_str()
                ),
            )
        });
    };
    if sc.start.is_none() {
        return Err(ImportProblem {
            help: Some("give the scenario a `start` date in [scenario]".into()),
            ..ImportProblem::file(
                file,
                "the scenario has no start date, so its periods have no days",
            )
        });
    }
    let mut planned = Vec::new();
    for team in &sc.teams {
        for t in 1..=sc.periods {
            let end = sc.period_end_date(t).expect("the scenario has a start");
            let start = match t {
                1 => sc.start.expect("the scenario has a start"),
                _ => sc
                    .period_end_date(t - 1)
                    .expect("the scenario has a start")
                    .add_days(1),
            };
            planned.push(Planned {
                team: team.name.clone(),
                period: t,
                start,
                end,
                share: Some(tech_share),
            });
        }
    }
    Ok((chosen, planned))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(text: &str) -> (usize, Date, Option<f64>) {
        (1, text.parse().unwrap(), None)
    }

    #[test]
    fn the_first_period_starts_one_period_before_the_second() {
        let weeks = [end("2027-01-17"), end("2027-01-31")];
        assert_eq!(first_start(&weeks), "2027-01-04".parse().ok());
        let months = [end("2027-01-31"), end("2027-02-28")];
        assert_eq!(first_start(&months), "2027-01-01".parse().ok());
        let quarters = [end("2027-03-31"), end("2027-06-30")];
        assert_eq!(first_start(&quarters), "2027-01-01".parse().ok());
        assert_eq!(first_start(&weeks[..1]), None);
    }
}
