//! What each field of the scenario file is, for the schema: its kind, whether it is required,
//! a description and an example (JSON). The loader's tables decide which fields exist; the
//! tests check this list against them.

use crate::scenario::fields::Bound::{
    self, Any, BelowOne, Change, Fraction, NonNegative, Positive,
};
use crate::scenario::fields::Quantity::{
    Change as Relative, Days, Engineers, Incidents, Interest, Ratio, Sensitivity, Value, Weight,
};

/// The kind of value a field holds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// Free text.
    Text,
    /// A name that can be a folder name.
    Name,
    /// An integer at least `min`.
    Integer {
        min: i64,
    },
    /// Any integer.
    AnyInteger,
    Bool,
    /// A date `YYYY-MM-DD`.
    Date,
    Dates,
    /// `"2w"`, `"1mo"`, …
    PeriodLength,
    /// A period number, 1 to `periods`.
    Period,
    /// A non-empty array of period numbers.
    Periods,
    /// `[first, last]` periods.
    Window,
    /// One of the words.
    Choice(&'static [&'static str]),
    /// An array of names (initiative ids).
    Names,
    /// A plain number within the bound (or a string holding one, `"20%"`).
    Number(Bound),
    /// A distribution whose values lie within the bound.
    Distribution(Bound),
    /// A table of key result id = distribution.
    Contributions,
    /// A table of its own: the section at this field's path.
    Table,
    /// An array of tables, at least this many.
    Tables {
        at_least: u64,
    },
    /// A schedule's phases: `[{ until, tech_share }, …]`.
    Phases,
    /// A table of team name = [`Kind::Phases`].
    PhasesByTeam,
}

/// One field of one table.
#[derive(Debug)]
pub struct Field {
    /// The table's path in the schema (`""` for the file, `teams[]` for each team).
    pub section: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// Required in every table of its kind.
    pub required: bool,
    pub description: &'static str,
    /// An example value, as JSON.
    pub example: Option<&'static str>,
}

/// A field, required or not.
const fn f(
    section: &'static str,
    name: &'static str,
    kind: Kind,
    required: bool,
    description: &'static str,
    example: Option<&'static str>,
) -> Field {
    Field {
        section,
        name,
        kind,
        required,
        description,
        example,
    }
}

const REQUIRED: bool = true;
const OPTIONAL: bool = false;

/// Every field of the scenario file, one a line.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    // The file.
    f("", "scenario", Kind::Table, REQUIRED, "The scenario's name, horizon, calendar, trials and seed.", None),
    f("", "okrs", Kind::Table, OPTIONAL, "The blend of product's and technology's key results, and the key results.", None),
    f("", "debt", Kind::Table, OPTIONAL, "Technical debt for every team: where it starts, how it grows and what it costs. Without it there is no debt and no drag.", None),
    f("", "incidents", Kind::Table, OPTIONAL, "Unplanned work from incidents, growing with debt. Without it there are no incidents.", None),
    f("", "teams", Kind::Tables { at_least: 1 }, REQUIRED, "The teams that do the work, each measured in engineers or directly in capacity.", None),
    f("", "initiatives", Kind::Tables { at_least: 0 }, OPTIONAL, "The work: product and tech initiatives with their efforts, deadlines and dependencies.", None),
    f("", "risks", Kind::Tables { at_least: 0 }, OPTIONAL, "Discrete events that strike at most once per trial with unplanned work.", None),
    f("", "events", Kind::Tables { at_least: 0 }, OPTIONAL, "Known capacity changes: leave, on-call rotations, a freeze.", None),
    f("", "strategies", Kind::Tables { at_least: 0 }, OPTIONAL, "The splits to compare; the first is the baseline of every comparison.", None),
    // [scenario]
    f("scenario", "name", Kind::Name, OPTIONAL, "Names the results folder output/<name>/. At most 100 letters, digits, `-`, `_`, `.`. Default: the file name.", Some(r#""my-plan""#)),
    f("scenario", "question", Kind::Text, OPTIONAL, "The question the scenario answers; shown by `validate` and in the report.", Some(r#""Which split gives the best blended outcome this half-year?""#)),
    f("scenario", "periods", Kind::Integer { min: 1 }, REQUIRED, "Planning horizon in periods, at most 20 years (521 periods of 2w).", Some("26")),
    f("scenario", "period", Kind::PeriodLength, OPTIONAL, "Period length: `<n><unit>`, unit d, w, mo or q, at most a year. Default \"2w\".", Some(r#""2w""#)),
    f("scenario", "start", Kind::Date, OPTIONAL, "First day of period 1 (YYYY-MM-DD); outputs then carry dates.", Some(r#""2027-01-04""#)),
    f("scenario", "trials", Kind::Integer { min: 1 }, OPTIONAL, "Monte Carlo trials (--trials overrides). Default 10000.", Some("10000")),
    f("scenario", "seed", Kind::Integer { min: 0 }, OPTIONAL, "Master seed (--seed overrides). Default 42.", Some("42")),
    f("scenario", "holidays", Kind::Dates, OPTIONAL, "With period = \"1d\": days off besides weekends.", Some(r#"["2027-12-24", "2027-12-25"]"#)),
    f("scenario", "weekends_off", Kind::Bool, OPTIONAL, "With period = \"1d\": Saturdays and Sundays are off. Default true.", Some("true")),
    f("scenario", "throughput_method", Kind::Choice(&["calibrated", "iid"]), OPTIONAL, "How throughput teams' histories (`capacity = { samples = [...] }`) are resampled and forecasts from them stated: calibrated (four-week blocks of the last year, chances corrected by how often they came true on the history's own past) or iid (the classic bootstrap: every period independently from all the history). Default \"calibrated\".", Some(r#""calibrated""#)),
    // [okrs]
    f("okrs", "blend", Kind::Number(Fraction), OPTIONAL, "Weight of product's key results in the blended score; technology's is 1 - blend. Default 0.5.", Some("0.5")),
    f("okrs", "key_results", Kind::Tables { at_least: 0 }, OPTIONAL, "Delivery key results (a `target` the initiatives' `contributes` add up to) and metric key results (a `metric` below or above a level).", None),
    // [[okrs.key_results]]
    f("okrs.key_results[]", "id", Kind::Text, REQUIRED, "Unique id, referenced by initiatives' `contributes`.", Some(r#""checkout-conversion""#)),
    f("okrs.key_results[]", "description", Kind::Text, OPTIONAL, "Free text.", Some(r#""Conversion up 3 points""#)),
    f("okrs.key_results[]", "owner", Kind::Choice(&["product", "technology"]), REQUIRED, "Whose objective it serves.", Some(r#""product""#)),
    f("okrs.key_results[]", "target", Kind::Number(Positive(Value)), OPTIONAL, "Delivery key result: the value the finished initiatives' contributions must reach (required without `metric`).", Some("3.0")),
    f("okrs.key_results[]", "weight", Kind::Number(NonNegative(Weight)), OPTIONAL, "Importance within its owner's set. Default 1.", Some("2.0")),
    f("okrs.key_results[]", "deadline", Kind::Period, OPTIONAL, "Judged at the end of this period; attainment is frozen from then on. Default: the horizon.", Some("13")),
    f("okrs.key_results[]", "metric", Kind::Choice(&["debt", "incidents", "drag", "product_work"]), OPTIONAL, "Makes it a metric key result: debt (engineer-days), incidents (expected per period), drag (fraction of capacity) or product_work (engineer-days of product work done since period 1), summed over teams.", Some(r#""debt""#)),
    f("okrs.key_results[]", "below", Kind::Number(NonNegative(Days)), OPTIONAL, "Metric key result: the level the metric must get below (or `above`; exactly one).", Some("300.0")),
    f("okrs.key_results[]", "above", Kind::Number(NonNegative(Days)), OPTIONAL, "Metric key result: the level the metric must get above (or `below`; exactly one).", Some("0.0")),
    f("okrs.key_results[]", "team", Kind::Text, OPTIONAL, "Metric key result: measure only this team. Default: the whole organisation.", Some(r#""checkout""#)),
    // [debt]
    f("debt", "initial", Kind::Distribution(NonNegative(Days)), OPTIONAL, "Engineer-days of remediation outstanding at the start, per team (drawn per team and trial). Default 0.", Some("400.0")),
    f("debt", "interest", Kind::Distribution(Change(Interest)), OPTIONAL, "Compound growth of outstanding debt per period (per team and trial). Default 0.", Some(r#""0.5% to 1.5%""#)),
    f("debt", "accrual", Kind::Distribution(NonNegative(Ratio)), OPTIONAL, "Debt days created per day of product work (per team and trial). Default 0.", Some(r#""0.1 to 0.3""#)),
    f("debt", "paydown_efficiency", Kind::Distribution(NonNegative(Ratio)), OPTIONAL, "Debt days removed per day of paydown (per team and trial). Default 1.", Some(r#""0.8 to 1.0""#)),
    f("debt", "drag_max", Kind::Number(BelowOne), OPTIONAL, "At most this fraction of capacity is lost to debt. Default 0: no drag.", Some("0.5")),
    f("debt", "drag_half", Kind::Number(Positive(Days)), OPTIONAL, "The debt at which drag is drag_max / 2 (required with drag_max).", Some("800.0")),
    f("debt", "posterior", Kind::Text, OPTIONAL, "A CSV of joint draws (the posterior.csv `fulcrum calibrate` writes), relative to the scenario file: each trial takes one row per team whole, so the parameters' correlations are kept. Columns: team, optional draw, and any of debt_initial, interest, accrual, paydown_efficiency, drag_max, drag_half, base_rate, debt_sensitivity, cost, throughput, throughput_cv; a parameter it holds may not be set here as well. Example: \"fit/posterior.csv\".", None),
    // [incidents]
    f("incidents", "base_rate", Kind::Distribution(NonNegative(Incidents)), OPTIONAL, "Incidents per team per period at zero debt (per team and trial). Default 0.", Some(r#""0.3 to 1.0""#)),
    f("incidents", "debt_sensitivity", Kind::Number(NonNegative(Sensitivity)), OPTIONAL, "Rate = base_rate * (1 + debt_sensitivity * debt) * (multipliers from finished work). Default 0.", Some("0.002")),
    f("incidents", "cost", Kind::Distribution(NonNegative(Days)), OPTIONAL, "Engineer-days of unplanned work per incident (drawn per incident). Default 1.", Some(r#""1 to 4""#)),
    // [[teams]]
    f("teams[]", "name", Kind::Text, REQUIRED, "Unique name, referenced by initiatives, risks, events and metric key results.", Some(r#""checkout""#)),
    f("teams[]", "engineers", Kind::Number(NonNegative(Engineers)), OPTIONAL, "Headcount at the start (fractions allowed). A team has `engineers` or `capacity`, not both.", Some("6")),
    f("teams[]", "days_per_engineer", Kind::Number(Positive(Days)), OPTIONAL, "Focus days per engineer per period, at most the period's calendar days. Default from `period`: 1w 4, 2w 8, 1mo 17, 1q 52.", Some("8")),
    f("teams[]", "availability", Kind::Distribution(Fraction), OPTIONAL, "Fraction of focus days actually available (drawn per period). Default 1.", Some(r#""0.8 to 0.95""#)),
    f("teams[]", "hires", Kind::Tables { at_least: 0 }, OPTIONAL, "Engineers who join at the start of a period.", Some(r#"[{ "period": 8, "engineers": 2 }]"#)),
    f("teams[]", "ramp_periods", Kind::Integer { min: 0 }, OPTIONAL, "A hire ramps linearly to full capacity over this many periods. Default 0.", Some("3")),
    f("teams[]", "attrition", Kind::Distribution(Fraction), OPTIONAL, "Probability per year that an engineer leaves (per trial). Default 0.", Some(r#""10%""#)),
    f("teams[]", "debt_initial", Kind::Distribution(NonNegative(Days)), OPTIONAL, "This team's debt at the start, instead of [debt] initial.", Some("250.0")),
    f("teams[]", "capacity", Kind::Distribution(NonNegative(Days)), OPTIONAL, "Instead of `engineers`: capacity per period in the team's own unit; `{ samples = [...] }` bootstraps a throughput history.", Some(r#"{ "samples": [3, 5, 2, 6] }"#)),
    // hires
    f("teams[].hires[]", "period", Kind::Period, REQUIRED, "The period the hires join at the start of.", Some("8")),
    f("teams[].hires[]", "engineers", Kind::Number(Positive(Engineers)), REQUIRED, "How many join.", Some("2")),
    // [[initiatives]]
    f("initiatives[]", "id", Kind::Text, REQUIRED, "Unique id, referenced by `after`.", Some(r#""one-click-checkout""#)),
    f("initiatives[]", "description", Kind::Text, OPTIONAL, "Free text.", Some(r#""Checkout in one click""#)),
    f("initiatives[]", "kind", Kind::Choice(&["product", "tech"]), REQUIRED, "Which budget pays for it.", Some(r#""product""#)),
    f("initiatives[]", "team", Kind::Text, REQUIRED, "The team that does the work.", Some(r#""checkout""#)),
    f("initiatives[]", "effort", Kind::Distribution(NonNegative(Days)), REQUIRED, "Engineer-days (or the team's capacity unit), drawn per trial.", Some(r#""40 to 90""#)),
    f("initiatives[]", "scope_growth", Kind::Distribution(Change(Relative)), OPTIONAL, "Discovered work: the work is effort * max(0, 1 + growth) (per trial).", Some(r#""0% to 30%""#)),
    f("initiatives[]", "max_engineers", Kind::Number(Positive(Engineers)), OPTIONAL, "At most this many engineers work on it at once (teams in engineers only).", Some("3")),
    f("initiatives[]", "contributes", Kind::Contributions, OPTIONAL, "Value added to each delivery key result when it finishes: key result id = distribution.", Some(r#"{ "checkout-conversion": 1.5 }"#)),
    f("initiatives[]", "deadline", Kind::Period, OPTIONAL, "Reported as p_by_deadline; with must_finish, a hard constraint for the allocator.", Some("10")),
    f("initiatives[]", "must_finish", Kind::Bool, OPTIONAL, "Makes `deadline` a chance constraint of the optimised strategy. Default false.", Some("true")),
    f("initiatives[]", "after", Kind::Names, OPTIONAL, "Initiative ids (any team) that must finish first; it becomes ready the period after.", Some(r#"["payments-v2"]"#)),
    f("initiatives[]", "priority", Kind::AnyInteger, OPTIONAL, "Lower first; initiatives without one follow, in file order.", Some("1")),
    f("initiatives[]", "on_done", Kind::Table, OPTIONAL, "Effects of finishing it, from the next period on (debt in the period it finishes).", Some(r#"{ "debt": -150, "accrual": "-20%" }"#)),
    // on_done
    f("initiatives[].on_done", "debt", Kind::Distribution(Any(Days)), OPTIONAL, "Debt days added to the team's debt when it finishes (negative: removed).", Some("-150")),
    f("initiatives[].on_done", "accrual", Kind::Distribution(Change(Relative)), OPTIONAL, "Relative change of the team's accrual rate.", Some(r#""-20%""#)),
    f("initiatives[].on_done", "incident_rate", Kind::Distribution(Change(Relative)), OPTIONAL, "Relative change of the team's incident rate.", Some(r#""-30%""#)),
    f("initiatives[].on_done", "capacity", Kind::Distribution(Change(Relative)), OPTIONAL, "Relative change of the team's effective capacity.", Some(r#""+3%""#)),
    // [[risks]]
    f("risks[]", "id", Kind::Text, REQUIRED, "Name.", Some(r#""pci-audit""#)),
    f("risks[]", "team", Kind::Text, REQUIRED, "The team hit.", Some(r#""checkout""#)),
    f("risks[]", "likelihood", Kind::Number(Fraction), REQUIRED, "Probability that it strikes within its window.", Some("0.3")),
    f("risks[]", "window", Kind::Window, OPTIONAL, "[first, last] periods it may strike in, uniformly. Default: the whole horizon.", Some("[4, 12]")),
    f("risks[]", "impact", Kind::Distribution(NonNegative(Days)), REQUIRED, "Engineer-days of unplanned work in the period it strikes.", Some(r#""5 to 20""#)),
    // [[events]]
    f("events[]", "name", Kind::Text, OPTIONAL, "Label.", Some(r#""summer leave""#)),
    f("events[]", "team", Kind::Text, REQUIRED, "The team affected.", Some(r#""checkout""#)),
    f("events[]", "periods", Kind::Periods, REQUIRED, "The periods affected, each once.", Some("[6, 7]")),
    f("events[]", "engineers", Kind::Number(Any(Engineers)), OPTIONAL, "Engineers added (negative: away) in those periods; or `capacity`.", Some("-2")),
    f("events[]", "capacity", Kind::Distribution(Change(Relative)), OPTIONAL, "One fixed relative change of nominal capacity, e.g. \"-30%\"; or `engineers`.", Some(r#""-30%""#)),
    // [[strategies]]
    f("strategies[]", "name", Kind::Text, REQUIRED, "Unique name, shown in every output.", Some(r#""80/20""#)),
    f("strategies[]", "rule", Kind::Choice(&["fixed_share", "debt_ceiling", "optimised", "schedule", "error_budget", "lights_on_cap", "reactive"]), REQUIRED, "How the tech share is set: fixed, by a debt ceiling, the optimised policy, a schedule by phase, or raised while a team's error budget is spent, its unplanned work is over a cap, or any of these and its debt is over a threshold (reactive).", Some(r#""fixed_share""#)),
    f("strategies[]", "tech_share", Kind::Number(Fraction), OPTIONAL, "fixed_share (required), error_budget and lights_on_cap (required): the tech share in every team and period (normally, for the reactive rules); reactive: the base share, or `phases`.", Some("0.2")),
    f("strategies[]", "ceiling", Kind::Number(NonNegative(Days)), OPTIONAL, "debt_ceiling (required): the debt above which `above` applies.", Some("450.0")),
    f("strategies[]", "above", Kind::Number(Fraction), OPTIONAL, "debt_ceiling (required): tech share while the team's debt exceeds the ceiling.", Some("0.5")),
    f("strategies[]", "below", Kind::Number(Fraction), OPTIONAL, "debt_ceiling (required): tech share otherwise.", Some("0.1")),
    f("strategies[]", "min_tech_share", Kind::Number(Fraction), OPTIONAL, "optimised: the lowest tech share allowed. Default 0.", Some("0.1")),
    f("strategies[]", "max_tech_share", Kind::Number(Fraction), OPTIONAL, "optimised: the highest tech share allowed. Default 1.", Some("0.6")),
    f("strategies[]", "phases", Kind::Phases, OPTIONAL, "schedule (required), reactive (or `tech_share`): every team's tech share by phase, in order; `until` is a phase's last period (or a date in it), left out in the last phase, which runs to the end.", Some(r#"[{ "until": 6, "tech_share": 0.4 }, { "tech_share": 0.2 }]"#)),
    f("strategies[]", "team_phases", Kind::PhasesByTeam, OPTIONAL, "schedule, reactive: the phases of teams that differ from `phases`, by team name.", Some(r#"{ "checkout": [{ "until": "2027-04-01", "tech_share": 0.1 }, { "tech_share": 0.6 }] }"#)),
    f("strategies[]", "deadline_confidence", Kind::Number(Fraction), OPTIONAL, "optimised: the probability with which must_finish deadlines must hold. Default 0.85.", Some("0.85")),
    f("strategies[]", "frozen_share", Kind::Number(Fraction), OPTIONAL, "error_budget: the tech share while a team's error budget is spent. Default 1 (feature freeze).", Some("1.0")),
    f("strategies[]", "incidents", Kind::Number(NonNegative(Incidents)), OPTIONAL, "error_budget (this or `incident_days`): the budget, at most this many incidents of a team in `window` periods.", Some("6")),
    f("strategies[]", "incident_days", Kind::Number(NonNegative(Days)), OPTIONAL, "error_budget (this or `incidents`): the budget, at most this many engineer-days of a team's incidents in `window` periods.", Some("20")),
    f("strategies[]", "window", Kind::Integer { min: 1 }, OPTIONAL, "error_budget (required): the periods the budget covers, the last ones before each period.", Some("4")),
    f("strategies[]", "raised_share", Kind::Number(Fraction), OPTIONAL, "lights_on_cap and reactive (required): the tech share while the rule's trigger holds for a team.", Some("0.5")),
    f("strategies[]", "unplanned_share", Kind::Number(Fraction), OPTIONAL, "lights_on_cap (required): the cap, a share of a team's effective capacity taken by incident and risk work.", Some("0.3")),
    f("strategies[]", "periods", Kind::Integer { min: 1 }, OPTIONAL, "lights_on_cap (required): the periods running unplanned work must exceed the cap.", Some("2")),
    f("strategies[]", "when", Kind::Table, OPTIONAL, "reactive (required): the triggers, any one of which raises the share.", Some(r#"{ "debt_above": 800, "error_budget": { "incidents": 6, "window": 4 } }"#)),
    // when
    f("strategies[].when", "debt_above", Kind::Number(NonNegative(Days)), OPTIONAL, "The team's debt at the start of the period exceeds this.", Some("800")),
    f("strategies[].when", "error_budget", Kind::Table, OPTIONAL, "The team's error budget is spent: more than `incidents` (or `incident_days`) in the last `window` periods.", Some(r#"{ "incidents": 6, "window": 4 }"#)),
    f("strategies[].when", "unplanned_above", Kind::Table, OPTIONAL, "The team's unplanned work exceeded `share` of its capacity in each of the last `periods` periods.", Some(r#"{ "share": 0.3, "periods": 2 }"#)),
    f("strategies[].when.error_budget", "incidents", Kind::Number(NonNegative(Incidents)), OPTIONAL, "The budget in incidents (or `incident_days`).", Some("6")),
    f("strategies[].when.error_budget", "incident_days", Kind::Number(NonNegative(Days)), OPTIONAL, "The budget in engineer-days of incidents (or `incidents`).", Some("20")),
    f("strategies[].when.error_budget", "window", Kind::Integer { min: 1 }, REQUIRED, "The periods the budget covers.", Some("4")),
    f("strategies[].when.unplanned_above", "share", Kind::Number(Fraction), REQUIRED, "A share of the team's effective capacity.", Some("0.3")),
    f("strategies[].when.unplanned_above", "periods", Kind::Integer { min: 1 }, REQUIRED, "Periods running.", Some("2")),
];
