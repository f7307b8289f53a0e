//! The scenario `fulcrum import --scenario` writes: each team's product and tech throughput
//! over its own window (from its first finished item to its last, or to the history's end
//! for a team still at work) as `capacity = { samples = [...] }`, with what the window cut in
//! a comment; the observed tech share as an `as-is` strategy, and
//! the open items of each product or tech bucket as a backlog initiative, with comments
//! saying where every number came from. Keep-the-lights-on work is left out of capacity: the
//! team does it whatever the split. What the exports say goes into comments with its control
//! characters escaped, so that no name can end a comment and start a line of its own; and
//! [`check`] says whether `fulcrum validate` takes the text, before anything is written.

use std::fmt::Write;

use crate::model::PeriodLength;
use crate::model::history::{
    BucketKind, History, PeriodGrid, TeamHistory, Weight, per_kind, tech_share,
};
use crate::scenario::limits::{self, MAX_SCENARIO_BYTES};
use crate::scenario::{Format, LoadError, escape_control};

/// The furthest the scenario looks ahead, in years: as far as the history looks back, but a
/// forecast from a history of decades would be meaningless so far out (and the horizon of a
/// scenario is at most 20 years).
pub const MAX_YEARS_AHEAD: f64 = 10.0;

/// What the scenario is written from.
#[derive(Clone, Debug)]
pub struct ScenarioSource<'a> {
    /// Scenario name (made a folder name).
    pub name: &'a str,
    /// The imported items counted per team, bucket and period.
    pub history: &'a History,
    /// The exports, as `file (format)`.
    pub files: Vec<String>,
    /// Where the bucket rules came from.
    pub rules: &'a str,
}

/// A name usable as a scenario name or an id: lower case, `-` for anything but letters,
/// digits, `_` and `.`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '.').to_string();
    if out.is_empty() {
        "imported".into()
    } else {
        out
    }
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The periods the scenario looks ahead: as many as the history has, at most
/// [`MAX_YEARS_AHEAD`] years of them.
pub fn periods_ahead(history: usize, length: PeriodLength) -> usize {
    let most = (MAX_YEARS_AHEAD * length.per_year()).floor() as usize;
    history.clamp(1, most.max(1))
}

/// Teams of `h` that finished product or tech work: the teams of the scenario. Without any,
/// there is no scenario to write.
pub fn forecast_teams(h: &History) -> usize {
    h.teams
        .iter()
        .filter(|t| !t.planned_span(&h.buckets, h.gap).is_empty())
        .count()
}

/// Whether `fulcrum validate` takes the scenario `text`: `Err` says why not.
pub fn check(text: &str) -> Result<(), String> {
    check_in(text, None)
}

/// [`check`] for a scenario that will be written into `folder` (the files it names are read
/// relative to it).
pub fn check_in(text: &str, folder: Option<&std::path::Path>) -> Result<(), String> {
    if text.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(format!(
            "it would have {} bytes, more than the {} a scenario file may have",
            text.len(),
            limits::bytes_in_words(MAX_SCENARIO_BYTES)
        ));
    }
    let document =
        crate::scenario::Document::parse("scenario.toml", text, Format::Toml, "scenario").map(
            |d| match folder {
                Some(folder) => d.relative_to(folder),
                None => d,
            },
        );
    match document.and_then(|d| d.compile()) {
        Ok(_) => Ok(()),
        Err(LoadError::Invalid(problems)) => Err(problems.render(false)),
        Err(other) => Err(other.to_string()),
    }
}

fn share(x: f64) -> String {
    format!("{:.2}", x)
}

/// The scenario file's text.
pub fn render(source: &ScenarioSource) -> String {
    let mut out = String::new();
    header(&mut out, source);
    let mut shares = Shares::default();
    let h = source.history;
    for team in &h.teams {
        match team.planned_span(&h.buckets, h.gap).is_empty() {
            true => left_out(&mut out, h, team),
            false => shares.add(team_section(&mut out, h, team)),
        }
    }
    initiatives(&mut out, source.history);
    strategy(&mut out, &shares, source.history);
    out
}

/// A team's window and what it cut, in words: for the scenario's comments, the summary and
/// `import.json`.
pub fn window_in_words(team: &TeamHistory, grid: &PeriodGrid) -> String {
    if team.periods() == 0 {
        return format!(
            "finished nothing from {} to {}: no history",
            grid.first_day,
            grid.end(grid.periods)
        );
    }
    let (first, last) = (team.period(0), team.window.end);
    let mut text = format!(
        "{} to {} ({} periods)",
        grid.start(first),
        grid.end(last),
        team.periods()
    );
    let cut = team.cut;
    let stragglers = |n: u32| match n {
        0 => String::new(),
        n => format!(", and {n} straggler item(s) an idle gap away from the rest"),
    };
    if cut.before > 0 {
        text.push_str(&format!(
            "; cut before it: {} idle period(s) from {}{}",
            cut.before,
            grid.first_day,
            stragglers(cut.items_before)
        ));
    }
    if cut.after > 0 {
        text.push_str(&format!(
            "; cut after it: {} period(s) to {}{}, so the team may have stopped",
            cut.after,
            grid.end(grid.periods),
            stragglers(cut.items_after)
        ));
    }
    text
}

/// The comment for a team that finished no product or tech item in the history: it has no
/// capacity for planned work to forecast from, so it and its backlog are left out.
fn left_out(out: &mut String, h: &History, team: &TeamHistory) {
    let open: u32 = team.open.iter().sum();
    let done: u32 = team.done_per_bucket().iter().sum();
    let what = match done {
        0 => window_in_words(team, &h.grid),
        n => format!(
            "finished {n} item(s), none of them product or tech work, {}",
            window_in_words(team, &h.grid)
        ),
    };
    out.push('\n');
    out.push_str(&comment(&format!(
        "team {} {what}: no capacity for planned work to forecast from, so it is left out, \
         with its {open} open item(s)",
        escape_control(&team.team),
    )));
}

/// `text` as comment lines of at most about 100 characters, broken between words.
fn comment(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::from("#");
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if line.len() > 1 && line.len() + 1 + word.len() > 99 {
            out.push_str(&line);
            out.push('\n');
            line = String::from("#");
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The comment saying where the numbers come from, and `[scenario]`.
fn header(out: &mut String, source: &ScenarioSource) {
    let grid = &source.history.grid;
    let (first, last) = (grid.first_day, grid.end(grid.periods));
    let _ = writeln!(
        out,
        "# Question: when is each team's open backlog done if it keeps splitting its work as it did?\n\
         #\n\
         # Written by `fulcrum import` from {} with the {}.\n\
         # History: {} periods of {}, {first} to {last}: items finished per period, by team,\n\
         # each team over its own window, from its first finished item to its last (or to the\n\
         # end, for a team still at work): idle periods before and after it are cut.\n\
         # Capacity counts product and tech items only: keep-the-lights-on work (bugs, support,\n\
         # incidents) is done whatever the split, so it is left out, as are items no rule matched.\n\
         # No key results: read each backlog's finish in initiatives.csv after `fulcrum run`.",
        escape_control(&source.files.join(", ")),
        escape_control(source.rules),
        grid.periods,
        grid.length,
    );
    let _ = writeln!(out, "\n[scenario]");
    let _ = writeln!(out, "name = {}", quote(&slug(source.name)));
    let _ = writeln!(
        out,
        "question = {}",
        quote("When is each team's open backlog done if it keeps splitting its work as it did?")
    );
    let h = source.history;
    let longest = h
        .teams
        .iter()
        .map(|t| t.planned_span(&h.buckets, h.gap).len())
        .max()
        .unwrap_or(0)
        .max(1);
    let ahead = periods_ahead(longest, grid.length);
    let why = if ahead < longest {
        format!("{MAX_YEARS_AHEAD} years ahead: the history looks back further")
    } else {
        "as many periods ahead as the longest team history looks back".into()
    };
    let _ = writeln!(out, "periods = {ahead}                  # {why}");
    let _ = writeln!(out, "period = \"{}\"", grid.length);
    let _ = writeln!(
        out,
        "start = {}             # the day after the history ends",
        last.add_days(1)
    );
    if grid.length.unit == crate::model::PeriodUnit::Day {
        let cal = &grid.calendar;
        let days: Vec<String> = cal.holidays().iter().map(|d| d.to_string()).collect();
        let _ = writeln!(
            out,
            "weekends_off = {}           # periods are working days",
            cal.weekends_off()
        );
        let _ = writeln!(out, "holidays = [{}]", days.join(", "));
    }
}

/// One team's product and tech work: items and weights.
struct TeamShare {
    team: String,
    items: [f64; 2],
    weights: [f64; 2],
}

/// Product and tech work finished, per team and in all: items, and weights.
#[derive(Default)]
struct Shares {
    items: [f64; 2],
    weights: [f64; 2],
    per_team: Vec<String>,
}

impl Shares {
    fn add(&mut self, team: TeamShare) {
        for k in 0..2 {
            self.items[k] += team.items[k];
            self.weights[k] += team.weights[k];
        }
        if let Some(s) = tech_share(team.items[0], team.items[1]) {
            self.per_team
                .push(format!("{} {}", escape_control(&team.team), share(s)));
        }
    }
}

/// One `[[teams]]` table; returns the team's name and its product and tech items and
/// weights.
fn team_section(out: &mut String, h: &History, team: &TeamHistory) -> TeamShare {
    let per_bucket = team.done_per_bucket();
    let product = per_kind(&h.buckets, &per_bucket, BucketKind::Product);
    let tech = per_kind(&h.buckets, &per_bucket, BucketKind::Tech);
    let ktlo = per_kind(&h.buckets, &per_bucket, BucketKind::Ktlo);
    let unmatched = per_bucket.last().copied().unwrap_or(0);
    let weights = team.weight_per_bucket();
    let planned = team.planned_span(&h.buckets, h.gap);
    let samples: Vec<String> = team.of_kinds(&h.buckets, &[BucketKind::Product, BucketKind::Tech])
        [planned.clone()]
    .iter()
    .map(u32::to_string)
    .collect();
    let _ = writeln!(out, "\n[[teams]]");
    let _ = writeln!(out, "name = {}", quote(&team.team));
    out.push_str(&comment(&format!(
        "product + tech items finished per period, oldest first; the team's window: {}",
        window_in_words(team, &h.grid)
    )));
    if planned.start > 0 {
        out.push_str(&comment(&format!(
            "its first product or tech item was finished in the period from {}: the {} \
             period(s) of its window before it (keep-the-lights-on or unmatched work only) are \
             left out",
            h.grid.start(team.period(planned.start)),
            planned.start
        )));
    }
    let _ = writeln!(
        out,
        "# ({product} product, {tech} tech; left out: {ktlo} keep-the-lights-on, {unmatched} unmatched)"
    );
    let _ = writeln!(out, "capacity = {{ samples = [{}] }}", samples.join(", "));
    TeamShare {
        team: team.team.clone(),
        items: [f64::from(product), f64::from(tech)],
        weights: [
            per_kind(&h.buckets, &weights, BucketKind::Product),
            per_kind(&h.buckets, &weights, BucketKind::Tech),
        ],
    }
}

/// A backlog initiative per team and product or tech bucket with open items.
fn initiatives(out: &mut String, h: &History) {
    let forecast = |t: &&TeamHistory| !t.planned_span(&h.buckets, h.gap).is_empty();
    for team in h.teams.iter().filter(forecast) {
        for (b, bucket) in h.buckets.iter().enumerate() {
            let kind = match bucket.kind {
                BucketKind::Product => "product",
                BucketKind::Tech => "tech",
                BucketKind::Ktlo => continue,
            };
            let open = team.open[b];
            if open == 0 {
                continue;
            }
            let id = format!("{}-{}-backlog", slug(&team.team), slug(&bucket.name));
            let what = format!(
                "open {} items of team {} at the export",
                bucket.name, team.team
            );
            let _ = writeln!(out, "\n[[initiatives]]");
            let _ = writeln!(out, "id = {}", quote(&id));
            let _ = writeln!(out, "description = {}", quote(&what));
            let _ = writeln!(out, "kind = \"{kind}\"");
            let _ = writeln!(out, "team = {}", quote(&team.team));
            let _ = writeln!(
                out,
                "effort = {open}                     # items open (or reopened) at the export"
            );
        }
    }
}

/// The `as-is` strategy: the observed tech share of all teams, in items (the unit of the
/// teams' capacity), with the share by weight in a comment when the import weighs otherwise.
fn strategy(out: &mut String, shares: &Shares, h: &History) {
    let [product, tech] = shares.items;
    let observed = tech_share(product, tech).unwrap_or(0.0);
    let _ = writeln!(out, "\n[[strategies]]");
    let _ = writeln!(out, "name = \"as-is\"");
    let _ = writeln!(out, "rule = \"fixed_share\"");
    let _ = writeln!(
        out,
        "# tech ÷ (product + tech) of the items all teams finished in the history ({} of {});",
        tech,
        product + tech,
    );
    let weighing = &h.weighing;
    if weighing.by != Weight::Items
        && let Some(weighted) = tech_share(shares.weights[0], shares.weights[1])
    {
        let _ = writeln!(
            out,
            "# weighed by {} instead, the tech share was {} (capacity here counts items);",
            weighing.by.unit(),
            share(weighted)
        );
    }
    let (all, matched) = h.matched();
    if all > 0 && f64::from(matched) < UNCERTAIN_BELOW * f64::from(all) {
        let _ = writeln!(
            out,
            "# uncertain: {} of the {all} finished items matched no rule (add rules and import again);",
            all - matched
        );
    }
    let per_team = if shares.per_team.is_empty() {
        vec!["none".to_string()]
    } else {
        shares.per_team.clone()
    };
    out.push_str(&wrapped_comment("# per team: ", &per_team));
    let _ = writeln!(out, "tech_share = {}", share(observed));
}

/// The share of finished items that must match a rule for the tech share to be shown without
/// a warning: below it, too much of the work is outside the share for it to say much.
pub const UNCERTAIN_BELOW: f64 = 0.8;

/// `entries` after `first`, separated by commas, in comment lines of at most about 100
/// characters (a long entry alone on its line): a scenario's lines must stay short, however
/// many teams there are.
fn wrapped_comment(first: &str, entries: &[String]) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for (k, entry) in entries.iter().enumerate() {
        let sep = if k + 1 < entries.len() { "," } else { "" };
        if line.len() > first.len() && line.len() + entry.len() + sep.len() > 99 {
            out.push_str(line.trim_end());
            out.push('\n');
            line = "#   ".to_string();
        }
        line.push_str(entry);
        line.push_str(sep);
        line.push(' ');
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_wrapped_into_short_comment_lines() {
        let teams: Vec<String> = (0..40).map(|k| format!("team-{k} 0.25")).collect();
        let text = wrapped_comment("# per team: ", &teams);
        assert!(
            text.lines().all(|l| l.starts_with('#') && l.len() < 100),
            "{text}"
        );
        assert!(
            text.starts_with("# per team: team-0 0.25, team-1 0.25,"),
            "{text}"
        );
        assert!(text.ends_with("team-39 0.25\n"), "{text}");
        assert_eq!(
            wrapped_comment("# per team: ", &["none".into()]),
            "# per team: none\n"
        );
    }

    #[test]
    fn the_horizon_is_the_history_s_length_up_to_ten_years() {
        let week: PeriodLength = "1w".parse().unwrap();
        assert_eq!(periods_ahead(26, week), 26);
        assert_eq!(periods_ahead(0, week), 1);
        assert_eq!(periods_ahead(5_000, week), 521);
        let quarter: PeriodLength = "1q".parse().unwrap();
        assert_eq!(periods_ahead(5_000, quarter), 40);
    }

    #[test]
    fn slugs_are_folder_names() {
        assert_eq!(slug("Team Payments!"), "team-payments");
        assert_eq!(slug("..."), "imported");
        assert_eq!(slug("web_v2.1"), "web_v2.1");
    }
}
