//! Every rejection rule of docs/src/reference/validation.md: each test asserts the message and that
//! it points at the exact line and column of the mistake.

use fulcrum::scenario::{self, Format, LoadError, Problems, Severity};

/// A small valid scenario; each test breaks one thing.
pub(crate) const BASE: &str = r#"[scenario]
name = "t"
periods = 10

[okrs]
blend = 0.5

[[okrs.key_results]]
id = "kr"
owner = "product"
target = 1.0

[[teams]]
name = "alpha"
engineers = 4

[[initiatives]]
id = "a"
kind = "product"
team = "alpha"
effort = 10
contributes = { kr = 1 }

[[initiatives]]
id = "b"
kind = "tech"
team = "alpha"
effort = "5 to 10"

[[strategies]]
name = "s"
rule = "fixed_share"
tech_share = 0.2
"#;

fn problems(text: &str) -> Problems {
    match scenario::load_str("t.toml", text, Format::Toml) {
        Ok(loaded) => loaded.warnings,
        Err(LoadError::Invalid(problems)) => problems,
        Err(other) => panic!("unexpected {other}"),
    }
}

/// Line and column (1-based) where `marker` first occurs in `text`.
fn position(text: &str, marker: &str) -> (usize, usize) {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("marker {marker:?} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Asserts that `text` has an error (or warning) whose message is `message`, located where
/// `marker` starts, and returns its help text.
#[track_caller]
fn assert_problem(text: &str, severity: Severity, marker: &str, message: &str) -> Option<String> {
    let problems = problems(text);
    let found = problems
        .items
        .iter()
        .find(|p| p.message == message && p.severity == severity)
        .unwrap_or_else(|| {
            let all: Vec<_> = problems
                .items
                .iter()
                .map(|p| (&p.message, p.severity))
                .collect();
            panic!("no {severity:?} {message:?}; found {all:#?}")
        });
    let location = found
        .location(&problems.sources)
        .expect("problem has a location");
    assert_eq!(
        (location.line, location.column),
        position(text, marker),
        "{message}: wrong place"
    );
    assert_eq!(location.file, "t.toml");
    found.help.clone()
}

#[track_caller]
pub(crate) fn assert_error(text: &str, marker: &str, message: &str) -> Option<String> {
    assert_problem(text, Severity::Error, marker, message)
}

pub(crate) fn with(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from:?} not in BASE");
    BASE.replacen(from, to, 1)
}

#[test]
fn the_base_scenario_is_valid() {
    let problems = problems(BASE);
    assert!(problems.items.is_empty(), "{problems}");
}

#[test]
fn unknown_keys_are_rejected_with_the_nearest_field() {
    let text = with("engineers = 4", "enginers = 4");
    let help = assert_error(
        &text,
        "enginers",
        "unknown field `enginers` in team `alpha`",
    );
    assert_eq!(help.as_deref(), Some("did you mean `engineers`?"));
    let text = format!("{BASE}\n[debts]\ninitial = 1\n");
    let help = assert_error(
        &text,
        "debts]",
        "unknown field `debts` in the scenario file",
    );
    assert_eq!(help.as_deref(), Some("did you mean `debt`?"));
}

#[test]
fn missing_required_fields_are_rejected_at_their_table() {
    let text = with("effort = 10\n", "");
    let help = assert_error(
        &text,
        "[[initiatives]]\nid = \"a\"",
        "initiative `a` is missing `effort`",
    );
    assert_eq!(
        help.as_deref(),
        Some("add a line such as `effort = \"40 to 90\"`")
    );
    let text = with("periods = 10\n", "");
    assert_error(&text, "[scenario]", "[scenario] is missing `periods`");
}

#[test]
fn wrong_types_are_rejected() {
    let text = with("periods = 10", "periods = \"ten\"");
    assert_error(
        &text,
        "\"ten\"",
        "`periods` must be a whole number, found a string",
    );
    let text = with("kind = \"product\"", "kind = \"feature\"");
    assert_error(
        &text,
        "\"feature\"",
        "`kind` must be one of \"product\", \"tech\", found \"feature\"",
    );
}

#[test]
fn non_finite_numbers_are_rejected() {
    let text = with("blend = 0.5", "blend = nan");
    assert_error(&text, "nan", "`blend` must be a finite number");
    let text = with("effort = 10", "effort = inf");
    assert_error(&text, "inf", "`effort` must be a finite number");
}

#[test]
fn intervals_must_go_from_low_to_high() {
    let text = with("effort = \"5 to 10\"", "effort = \"10 to 5\"");
    let help = assert_error(
        &text,
        "\"10 to 5\"",
        "`effort`: the low end 10 must be below the high end 5",
    );
    assert_eq!(help.as_deref(), Some("write \"5 to 10\""));
    let text = with("effort = \"5 to 10\"", "effort = { uniform = [7, 7] }");
    assert_error(
        &text,
        "[7, 7]",
        "`effort`: the low end 7 must be below the high end 7",
    );
}

#[test]
fn pert_mode_must_lie_within_its_range() {
    let text = with("effort = \"5 to 10\"", "effort = { pert = [5, 12, 10] }");
    assert_error(
        &text,
        "[5, 12, 10]",
        "`effort`: the mode 12 must lie within [5, 10]",
    );
}

#[test]
fn samples_must_not_be_empty() {
    let text = with("engineers = 4", "capacity = { samples = [] }");
    assert_error(&text, "[]", "`samples` needs at least one value");
}

#[test]
fn efforts_and_capacities_cannot_be_negative() {
    let text = with("effort = 10", "effort = -10");
    assert_error(&text, "-10", "`effort` must be at least 0, found -10");
    let text = with("engineers = 4", "capacity = \"-5 to 20\"");
    assert_error(
        &text,
        "\"-5 to 20\"",
        "`capacity` must be at least 0, found -5",
    );
    let text = with("engineers = 4", "engineers = -1");
    assert_error(&text, "-1", "`engineers` must be at least 0, found -1");
}

#[test]
fn dependency_cycles_are_printed() {
    let text = with(
        "effort = \"5 to 10\"",
        "effort = \"5 to 10\"\nafter = [\"a\"]",
    );
    let text = text.replacen("effort = 10", "effort = 10\nafter = [\"b\"]", 1);
    assert_error(&text, "[\"a\"]", "dependency cycle: a → b → a");
    let text = with("effort = 10", "effort = 10\nafter = [\"a\"]");
    assert_error(&text, "[\"a\"]", "dependency cycle: a → a");
}

#[test]
fn unknown_references_suggest_the_nearest_name() {
    let text = with(
        "team = \"alpha\"\neffort = 10",
        "team = \"alpah\"\neffort = 10",
    );
    let help = assert_error(&text, "\"alpah\"", "unknown team `alpah`");
    assert_eq!(help.as_deref(), Some("did you mean `alpha`?"));
    let text = with(
        "contributes = { kr = 1 }",
        "contributes = { kr = 1, rk = 2 }",
    );
    assert_error(&text, "rk = 2", "unknown key result `rk`");
    let text = with(
        "effort = \"5 to 10\"",
        "effort = \"5 to 10\"\nafter = [\"aa\"]",
    );
    let help = assert_error(&text, "\"aa\"", "unknown initiative `aa`");
    assert_eq!(help.as_deref(), Some("did you mean `a`?"));
}

#[test]
fn a_key_result_nothing_contributes_to_is_a_warning() {
    let text = with("contributes = { kr = 1 }\n", "");
    let loaded = scenario::load_str("t.toml", &text, Format::Toml).expect("warnings do not fail");
    assert_eq!(loaded.warnings.items.len(), 1);
    assert_problem(
        &text,
        Severity::Warning,
        "\"kr\"",
        "no initiative contributes to key result `kr`",
    );
}

#[test]
fn shares_must_lie_within_zero_and_one() {
    let text = with("tech_share = 0.2", "tech_share = 1.2");
    assert_error(
        &text,
        "1.2",
        "`tech_share` must be between 0 and 1, found 1.2",
    );
    let text = with("blend = 0.5", "blend = -0.1");
    assert_error(&text, "-0.1", "`blend` must be between 0 and 1, found -0.1");
}

#[test]
fn the_horizon_needs_at_least_one_period() {
    let text = with("periods = 10", "periods = 0");
    assert_error(&text, "0\n", "`periods` must be at least 1, found 0");
    // A typo's horizon (2600 for 26) is refused, with the limit for the period length.
    let text = with("periods = 10", "periods = 2600");
    assert_error(
        &text,
        "2600",
        "`periods` is 2600: 2600 periods of 2w are 100 years, and the horizon may be at most \
         20 years (521 periods of 2w)",
    );
    let text = with("periods = 10", "periods = 7305\nperiod = \"1d\"");
    assert!(!problems(&text).has_errors(), "20 years of days");
}

#[test]
fn periods_must_lie_within_the_horizon() {
    let text = with("target = 1.0", "target = 1.0\ndeadline = 11");
    assert_error(
        &text,
        "11",
        "`deadline` must be a period from 1 to 10, found 11",
    );
    let text = with(
        "engineers = 4",
        "engineers = 4\nhires = [{ period = 0, engineers = 1 }]",
    );
    assert_error(
        &text,
        "0, engineers",
        "`period` must be a period from 1 to 10, found 0",
    );
}

#[test]
fn names_must_be_unique() {
    let text = with("id = \"b\"", "id = \"a\"");
    assert_error(
        &text,
        "\"a\"\nkind = \"tech\"",
        "two initiatives are called `a`",
    );
}

#[test]
fn a_team_needs_exactly_one_kind_of_capacity() {
    let text = with("engineers = 4", "engineers = 4\ncapacity = 30");
    assert_error(
        &text,
        "[[teams]]",
        "team `alpha` sets both `engineers` and `capacity`",
    );
    let text = with("engineers = 4", "");
    assert_error(
        &text,
        "[[teams]]",
        "team `alpha` needs `engineers` or `capacity`",
    );
}

#[test]
fn strategy_fields_must_belong_to_its_rule() {
    let text = with("tech_share = 0.2", "tech_share = 0.2\nceiling = 300");
    let help = assert_error(
        &text,
        "300",
        "`ceiling` belongs to rule \"debt_ceiling\", not \"fixed_share\"",
    );
    assert_eq!(
        help.as_deref(),
        Some("the fields of \"fixed_share\" are: tech_share")
    );
    let text = with(
        "rule = \"fixed_share\"\ntech_share = 0.2",
        "rule = \"optimised\"\nmin_tech_share = 0.5\nmax_tech_share = 0.3",
    );
    assert_error(
        &text,
        "[[strategies]]",
        "`min_tech_share` 0.5 exceeds `max_tech_share` 0.3",
    );
}

#[test]
fn metric_key_results_need_one_level_and_no_contributions() {
    let metric = "id = \"kr\"\nowner = \"technology\"\nmetric = \"debt\"";
    let text = with("id = \"kr\"\nowner = \"product\"\ntarget = 1.0", metric);
    assert_error(
        &text,
        "[[okrs.key_results]]",
        "key result `kr` needs exactly one of `below` and `above`",
    );
    let text = with(
        "id = \"kr\"\nowner = \"product\"\ntarget = 1.0",
        &format!("{metric}\nbelow = 5"),
    );
    assert_error(
        &text,
        "kr = 1 }",
        "`kr` is a metric key result: initiatives cannot contribute to it",
    );
}

#[test]
fn dates_lengths_and_names_are_checked() {
    let text = with("periods = 10", "periods = 10\nstart = \"2027-02-30\"");
    assert_error(
        &text,
        "\"2027-02-30\"",
        "`start`: `2027-02-30` is not a day of the calendar",
    );
    let text = with("periods = 10", "periods = 10\nperiod = \"2y\"");
    assert_error(
        &text,
        "\"2y\"",
        "`period`: unknown unit `y`: use d, w, mo or q",
    );
    let text = with("name = \"t\"", "name = \"../escape\"");
    assert_error(
        &text,
        "\"../escape\"",
        "`name` \"../escape\" cannot be a folder name",
    );
}

#[test]
fn all_errors_of_a_file_are_reported_at_once() {
    let text = with("engineers = 4", "enginers = 4")
        .replacen("effort = 10", "effort = -1", 1)
        .replacen("tech_share = 0.2", "tech_share = 2", 1);
    let problems = problems(&text);
    let errors: Vec<&str> = problems.errors().map(|p| p.message.as_str()).collect();
    assert_eq!(
        errors,
        [
            "team `alpha` needs `engineers` or `capacity`",
            "unknown field `enginers` in team `alpha`",
            "`effort` must be at least 0, found -1",
            "`tech_share` must be between 0 and 1, found 2"
        ]
    );
}

#[test]
fn toml_syntax_errors_are_located() {
    let text = with("blend = 0.5", "blend = 0.5 0.6");
    let problems = problems(&text);
    let first = problems.errors().next().expect("a syntax error");
    let location = first.location(&problems.sources).unwrap();
    assert_eq!(location.line, position(&text, "blend").0);
}

#[test]
fn json_scenarios_are_validated_the_same_way() {
    let text = r#"{
  "scenario": { "name": "j", "periods": 4 },
  "teams": [ { "name": "alpha", "enginers": 3 } ],
  "strategies": [ { "name": "s", "rule": "fixed_share", "tech_share": 0.1 } ]
}"#;
    let Err(LoadError::Invalid(problems)) = scenario::load_str("t.json", text, Format::Json) else {
        panic!("expected errors");
    };
    let unknown = problems
        .items
        .iter()
        .find(|p| p.message == "unknown field `enginers` in team `alpha`")
        .expect("the typo is reported");
    let location = unknown.location(&problems.sources).unwrap();
    assert_eq!(
        (location.line, location.column),
        position(text, "\"enginers\"")
    );
    assert_eq!(unknown.help.as_deref(), Some("did you mean `engineers`?"));
}

#[test]
fn overrides_are_validated_like_the_file() {
    let mut document = scenario::Document::parse("t.toml", BASE, Format::Toml, "t").unwrap();
    let Err(LoadError::Invalid(problems)) = document.set(&["teams.alhpa.engineers=8".to_string()])
    else {
        panic!("expected an unknown element");
    };
    let p = &problems.items[0];
    assert_eq!(p.message, "no element is called `alhpa`");
    assert_eq!(p.help.as_deref(), Some("did you mean `alpha`?"));
    let location = p.location(&problems.sources).unwrap();
    assert_eq!(
        (location.file.as_str(), location.column),
        ("--set teams.alhpa.engineers=8", 7)
    );

    let mut document = scenario::Document::parse("t.toml", BASE, Format::Toml, "t").unwrap();
    document
        .set(&["teams.alpha.enginers=8".to_string()])
        .unwrap();
    let Err(LoadError::Invalid(problems)) = document.compile() else {
        panic!("expected an unknown field");
    };
    let p = problems.errors().next().unwrap();
    assert_eq!(p.message, "unknown field `enginers` in team `alpha`");
    assert_eq!(p.help.as_deref(), Some("did you mean `engineers`?"));
}

#[test]
fn overrides_change_exactly_the_addressed_field() {
    let mut document = scenario::Document::parse("t.toml", BASE, Format::Toml, "t").unwrap();
    document
        .set(&[
            "teams.alpha.engineers=8".to_string(),
            "strategies.s.tech_share=0.35".to_string(),
            "initiatives.b.effort=3 to 4".to_string(),
        ])
        .unwrap();
    let changed = document.compile().unwrap().scenario;
    let original = scenario::load_str("t.toml", BASE, Format::Toml)
        .unwrap()
        .scenario;
    let fulcrum::model::Workforce::Engineers(staff) = &changed.teams[0].workforce else {
        panic!("engineers team");
    };
    assert_eq!(staff.engineers, 8.0);
    assert_eq!(
        changed.strategies[0].rule,
        fulcrum::model::Rule::FixedShare { tech_share: 0.35 }
    );
    assert_eq!(
        changed.initiatives[1].effort,
        fulcrum::model::Distribution::interval(3.0, 4.0).unwrap()
    );
    // Everything else is untouched.
    let mut expected = original.clone();
    expected.teams = changed.teams.clone();
    expected.strategies = changed.strategies.clone();
    expected.initiatives[1].effort = changed.initiatives[1].effort.clone();
    assert_eq!(format!("{expected:?}"), format!("{changed:?}"));
}

#[test]
fn a_mistake_in_the_header_is_not_reported_again_on_the_fields_that_need_it() {
    // With `seed` wrong the period length is unknown: 52 focus days are not checked against a
    // guessed two weeks, and the date is not mapped to a period.
    let text = with("periods = 10", "periods = 10\nperiod = \"1q\"\nseed = -1").replacen(
        "engineers = 4",
        "engineers = 4\ndays_per_engineer = 52",
        1,
    );
    let errors: Vec<String> = problems(&text)
        .errors()
        .map(|p| p.message.clone())
        .collect();
    assert_eq!(errors, ["`seed` must be at least 0, found -1"]);
}

#[test]
fn magnitudes_beyond_the_model_are_rejected_at_the_field() {
    for (from, to, marker, message) in [
        (
            "engineers = 4",
            "engineers = 1e308",
            "1e308",
            "`engineers` is 1e308: beyond the largest this model represents, 10,000 engineers",
        ),
        (
            "effort = 10",
            "effort = { pert = [1, 2e6, 3e6] }",
            "2e6",
            "`effort` is 2000000: beyond the largest this model represents, 1,000,000 engineer-days (or units of the team's capacity)",
        ),
        (
            "effort = 10",
            "effort = { normal = [10, 1e9] }",
            "1e9",
            "`effort` is 1e9: beyond the largest this model represents, 1,000,000 engineer-days (or units of the team's capacity)",
        ),
        (
            "contributes = { kr = 1 }",
            "contributes = { kr = -2e6 }",
            "-2e6",
            "`kr` is -2000000: beyond the largest this model represents, 1,000,000",
        ),
        (
            "target = 1.0",
            "target = 1e7",
            "1e7",
            "`target` is 10000000: beyond the largest this model represents, 1,000,000",
        ),
    ] {
        assert_error(&with(from, to), marker, message);
    }
    // The limit itself is accepted.
    let text = with("effort = 10", "effort = 1e6");
    assert!(!problems(&text).has_errors());
}

/// Issue 15: the messages a first hour runs into, each located and with its way out.
#[test]
fn an_unknown_rule_is_one_error_not_a_cascade() {
    let text = with("rule = \"fixed_share\"", "rule = \"fixd_share\"");
    let problems = problems(&text);
    assert_eq!(problems.errors().count(), 1, "{problems}");
    let help = assert_error(
        &text,
        "\"fixd_share\"",
        "`rule` must be one of \"fixed_share\", \"debt_ceiling\", \"optimised\", \"schedule\", \"error_budget\", \"lights_on_cap\", \"reactive\", found \"fixd_share\"",
    );
    assert_eq!(help.as_deref(), Some("did you mean `fixed_share`?"));
    assert!(
        !problems.to_string().contains("unknown field"),
        "{problems}"
    );
}

#[test]
fn a_tech_share_in_percent_is_a_share() {
    let text = with("tech_share = 0.2", "tech_share = \"20%\"");
    let loaded = scenario::load_str("t.toml", &text, Format::Toml).expect("valid");
    assert!(matches!(
        loaded.scenario.strategies[0].rule,
        fulcrum::model::Rule::FixedShare { tech_share } if (tech_share - 0.2).abs() < 1e-12
    ));
}

#[test]
fn a_deadline_written_as_a_date_is_the_period_it_falls_in() {
    let dated = |date: &str| {
        with("periods = 10", "periods = 10\nstart = 2027-01-04").replace(
            "contributes = { kr = 1 }",
            &format!("contributes = {{ kr = 1 }}\ndeadline = {date}"),
        )
    };
    // Period 6 of two weeks from 2027-01-04 runs 2027-03-15 to 2027-03-28.
    for date in ["2027-03-15", "2027-03-28", "\"2027-03-20\""] {
        let loaded = scenario::load_str("t.toml", &dated(date), Format::Toml)
            .unwrap_or_else(|e| panic!("{date}: {e}"));
        assert_eq!(loaded.scenario.initiatives[0].deadline, Some(6), "{date}");
    }
    let help = assert_error(
        &dated("2027-09-15"),
        "2027-09-15",
        "`deadline` is a date outside the scenario's periods",
    );
    assert!(
        help.unwrap_or_default()
            .contains("2027-09-15 is after the horizon, which ends on 2027-05-23 (period 10)"),
    );

    let undated = with(
        "contributes = { kr = 1 }",
        "contributes = { kr = 1 }\ndeadline = \"2027-03-15\"",
    );
    let help = assert_error(
        &undated,
        "\"2027-03-15\"",
        "`deadline` is a date, but the scenario has no `start` to count from",
    );
    let help = help.unwrap_or_default();
    assert!(
        help.contains("(1 to 10)") && help.contains("add `start`"),
        "{help}"
    );
}

#[test]
fn a_json_file_gets_help_in_json() {
    let json = r#"{
  "scenario": { "name": "j", "periods": 6 },
  "teams": [{ "name": "alpha" }],
  "initiatives": [{ "id": "a", "kind": "product", "team": "alpha", "effort": 5 }],
  "strategies": [{ "name": "s", "rule": "fixed_share", "tech_share": 0.2 }]
}"#;
    let problems = match scenario::load_str("t.json", json, Format::Json) {
        Err(LoadError::Invalid(problems)) => problems,
        other => panic!("expected an error, got {:?}", other.map(|_| ())),
    };
    let help = problems
        .errors()
        .find_map(|p| p.help.clone())
        .unwrap_or_default();
    assert!(help.contains("\"engineers\": 6"), "{help}");
    assert!(!help.contains("engineers = 6"), "{help}");
}

/// Names are one string however they are typed (NFC): a reference written with a combining
/// accent finds the precomposed team, and the model holds the NFC name. Names hiding a
/// character that prints as nothing are refused where they are written, and the message
/// shows the character as its code point, never raw.
#[test]
fn names_are_normalised_and_invisible_characters_refused() {
    let nfd = "cafe\u{301}";
    let text = with("name = \"alpha\"", "name = \"café\"")
        .replace("team = \"alpha\"", &format!("team = \"{nfd}\""));
    let loaded =
        scenario::load_str("t.toml", &text, Format::Toml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.scenario.teams[0].name, "café");
    assert_eq!(loaded.scenario.initiatives[0].team, 0);

    for (written, message) in [
        (
            "alpha\u{200b}",
            "the team name `alpha\\u{200b}` holds an invisible formatting character, U+200B, at character 6",
        ),
        (
            "al\u{202e}pha",
            "the team name `al\\u{202e}pha` holds an invisible formatting character, U+202E, at character 3",
        ),
        (
            "al\\u001b[2Jpha",
            "the team name `al\\u{1b}[2Jpha` holds a control character, U+001B, at character 3",
        ),
    ] {
        let text = with("name = \"alpha\"", &format!("name = \"{written}\""));
        assert_error(&text, &format!("\"{written}\""), message);
        let rendered = problems(&text).render(false);
        assert!(!rendered.contains('\u{1b}'), "{rendered}");
    }
}
