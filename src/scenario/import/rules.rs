//! Bucket rules: which bucket (product, tech, keep-the-lights-on, or the user's own names)
//! each item goes to, by issue type, label or a word in its title. Rules come from a small
//! TOML rules file, from `--rule` flags (tried first), or, with neither, from built-in rules
//! for the common Jira, Linear and GitHub vocabularies. The first matching rule wins; items
//! no rule matches are counted as unmatched, never dropped.

use std::path::Path;

use serde::Deserialize;

use crate::model::history::{Bucket, BucketKind, WorkItem};

// Names and values escaped as the items' fields are: a rule compares with them, and a
// bucket's name is shown and written.
use super::{ImportProblem, escaped};
use crate::scenario::limits::{self, MAX_SCENARIO_BYTES};

/// What a rule looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// The issue type, ignoring case.
    Type(String),
    /// One of the labels, ignoring case.
    Label(String),
    /// The title contains this text, ignoring case.
    Title(String),
    /// Every item (a catch-all).
    Any,
}

impl Matcher {
    fn matches(&self, item: &WorkItem) -> bool {
        match self {
            Matcher::Type(t) => item.item_type.trim().eq_ignore_ascii_case(t),
            Matcher::Label(l) => item.labels.iter().any(|x| x.trim().eq_ignore_ascii_case(l)),
            Matcher::Title(w) => item.title.to_lowercase().contains(&w.to_lowercase()),
            Matcher::Any => true,
        }
    }

    /// `type Bug`, `label tech-debt`, `title "hotfix"`, `anything`.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Type(t) => format!("type {t}"),
            Matcher::Label(l) => format!("label {l}"),
            Matcher::Title(w) => format!("title contains \"{w}\""),
            Matcher::Any => "anything".into(),
        }
    }
}

/// Export columns the rules file renames: which column holds the team and the start date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Column holding the team (Jira: e.g. `Custom field (Team)`).
    pub team: Option<String>,
    /// Column holding the date work started (Jira: e.g. `Custom field (Start date)`).
    pub started: Option<String>,
}

/// Buckets and the ordered rules that fill them.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    /// The buckets; rules and [`Rules::classify`] refer to them by index.
    pub buckets: Vec<Bucket>,
    /// (bucket index, matcher), tried in order.
    pub rules: Vec<(usize, Matcher)>,
    /// The rules file's `[columns]` (none renamed for built-in rules and flags).
    pub columns: Columns,
    /// Where the rules came from, for the report: a file, flags, or `built-in rules`.
    pub origin: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    columns: Columns,
    #[serde(default)]
    buckets: Vec<BucketRules>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BucketRules {
    name: String,
    kind: String,
    #[serde(default)]
    types: Vec<String>,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    titles: Vec<String>,
    #[serde(default)]
    anything: bool,
}

/// A kind as written (`product`, `tech`, `ktlo` or `keep-the-lights-on`); also the kind a
/// built-in bucket name stands for.
fn parse_kind(text: &str) -> Option<BucketKind> {
    match text.to_ascii_lowercase().as_str() {
        "product" => Some(BucketKind::Product),
        "tech" => Some(BucketKind::Tech),
        "ktlo" | "keep-the-lights-on" => Some(BucketKind::Ktlo),
        _ => None,
    }
}

impl Rules {
    /// The built-in rules: keep-the-lights-on for bugs, incidents and support; tech for tech
    /// debt, refactoring, infrastructure, upgrades, security and performance; product for
    /// stories, features and enhancements. No catch-all: anything else is unmatched.
    pub fn builtin() -> Rules {
        let mut rules = Rules::empty("built-in rules".into());
        let ktlo = rules.bucket("ktlo", BucketKind::Ktlo);
        let tech = rules.bucket("tech", BucketKind::Tech);
        let product = rules.bucket("product", BucketKind::Product);
        let add = |rules: &mut Rules, b: usize, types: &[&str], labels: &[&str]| {
            for t in types {
                rules.rules.push((b, Matcher::Type(t.to_string())));
            }
            for l in labels {
                rules.rules.push((b, Matcher::Label(l.to_string())));
            }
        };
        add(
            &mut rules,
            ktlo,
            &["bug", "defect", "incident", "support", "problem"],
            &[
                "bug",
                "defect",
                "incident",
                "support",
                "ktlo",
                "maintenance",
                "ops",
                "on-call",
                "hotfix",
            ],
        );
        add(
            &mut rules,
            tech,
            &["tech debt", "technical debt", "tech-debt", "chore", "spike"],
            &[
                "tech-debt",
                "techdebt",
                "tech debt",
                "technical debt",
                "tech",
                "refactor",
                "refactoring",
                "infrastructure",
                "infra",
                "platform",
                "upgrade",
                "security",
                "performance",
                "chore",
                "dependencies",
            ],
        );
        add(
            &mut rules,
            product,
            &[
                "story",
                "user story",
                "feature",
                "new feature",
                "improvement",
                "enhancement",
            ],
            &["feature", "product", "enhancement", "user story"],
        );
        rules
    }

    /// No buckets and no rules: for `--rule` flags alone.
    pub fn none() -> Rules {
        Rules::empty(String::new())
    }

    fn empty(origin: String) -> Rules {
        Rules {
            buckets: Vec::new(),
            rules: Vec::new(),
            columns: Columns::default(),
            origin,
        }
    }

    /// The index of bucket `name`, added with `kind` when new.
    fn bucket(&mut self, name: &str, kind: BucketKind) -> usize {
        if let Some(b) = self.buckets.iter().position(|b| b.name == name) {
            return b;
        }
        self.buckets.push(Bucket {
            name: name.to_string(),
            kind,
        });
        self.buckets.len() - 1
    }

    /// Reads a rules file: at most [`MAX_SCENARIO_BYTES`] of it (a rules file is a few lines),
    /// as UTF-8 or UTF-16 with its byte order mark, like an export.
    pub fn read(path: &Path) -> Result<Rules, ImportProblem> {
        let file = escaped(path.display().to_string());
        let bytes = limits::read_bytes(path, MAX_SCENARIO_BYTES).map_err(|e| {
            let why = match e {
                limits::ReadError::Io(e) => e.to_string(),
                limits::ReadError::TooLarge { limit, .. } => format!(
                    "it is larger than {}, the most a rules file may have",
                    limits::bytes_in_words(limit)
                ),
            };
            ImportProblem::file(&file, format!("cannot read the rules file: {why}"))
        })?;
        let text = super::source::decode(&file, bytes)?;
        Rules::parse(&file, text.strip_prefix('\u{feff}').unwrap_or(&text))
    }

    /// Parses rules-file text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Rules, ImportProblem> {
        let parsed: RulesFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((None, None), |s| line_column(text, s.start));
            ImportProblem {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
                help: Some(
                    "a rules file has [[buckets]] with name, kind (product, tech or ktlo) and \
                     types, labels, titles or anything = true; and optionally [columns] team / started"
                        .into(),
                ),
            }
        })?;
        let mut rules = Rules::empty(format!("rules file {file}"));
        rules.columns = parsed.columns;
        for b in parsed.buckets {
            let where_ = line_of_text(text, &format!("\"{}\"", b.name));
            let kind = parse_kind(&b.kind).ok_or_else(|| ImportProblem {
                file: file.to_string(),
                line: where_,
                column: None,
                message: format!("bucket `{}` has kind `{}`", b.name, b.kind),
                help: Some("kind must be product, tech or ktlo (keep the lights on)".into()),
            })?;
            if b.types.is_empty() && b.labels.is_empty() && b.titles.is_empty() && !b.anything {
                return Err(ImportProblem {
                    file: file.to_string(),
                    line: where_,
                    column: None,
                    message: format!("bucket `{}` has no rules, so nothing can go in it", b.name),
                    help: Some(
                        "add types = [...], labels = [...], titles = [...] or anything = true"
                            .into(),
                    ),
                });
            }
            let i = rules.bucket(&escaped(b.name), kind);
            let (types, labels, titles) = (b.types, b.labels, b.titles);
            rules.rules.extend(
                (types.into_iter().map(|t| Matcher::Type(escaped(t))))
                    .chain(labels.into_iter().map(|l| Matcher::Label(escaped(l))))
                    .chain(titles.into_iter().map(|w| Matcher::Title(escaped(w))))
                    .map(|m| (i, m)),
            );
            if b.anything {
                rules.rules.push((i, Matcher::Any));
            }
        }
        if rules.buckets.is_empty() {
            return Err(ImportProblem {
                file: file.to_string(),
                line: None,
                column: None,
                message: "the rules file defines no [[buckets]]".into(),
                help: Some(
                    "[[buckets]]\nname = \"tech\"\nkind = \"tech\"\nlabels = [\"tech-debt\"]"
                        .into(),
                ),
            });
        }
        Ok(rules)
    }

    /// Adds `--rule BUCKET=FIELD:VALUE` flags (FIELD `type`, `label` or `title`; or
    /// `BUCKET=*`), tried before the existing rules, in the order given. BUCKET is a bucket
    /// of these rules or one of product, tech, ktlo.
    pub fn with_flags(mut self, flags: &[String]) -> Result<Rules, ImportProblem> {
        let mut added = Vec::new();
        for flag in flags {
            let fail = |why: String| {
                ImportProblem {
                file: format!("--rule {flag}"),
                line: None,
                column: None,
                message: why,
                help: Some("write --rule tech=label:tech-debt, --rule ktlo=type:Bug, --rule product=title:feature or --rule product=*".into()),
            }
            };
            let (bucket, matcher) = flag
                .split_once('=')
                .ok_or_else(|| fail("expected BUCKET=FIELD:VALUE".into()))?;
            let bucket = escaped(bucket.trim().to_string());
            let bucket = bucket.as_str();
            let matcher = match matcher.trim() {
                "*" => Matcher::Any,
                m => {
                    let (field, value) = m
                        .split_once(':')
                        .ok_or_else(|| fail(format!("`{m}` is not FIELD:VALUE")))?;
                    let value = escaped(value.trim().to_string());
                    if value.is_empty() {
                        return Err(fail("the value to match is empty".into()));
                    }
                    match field.trim() {
                        "type" => Matcher::Type(value),
                        "label" => Matcher::Label(value),
                        "title" => Matcher::Title(value),
                        other => {
                            return Err(fail(format!(
                                "`{other}` is not a field rules can match: use type, label or title"
                            )));
                        }
                    }
                }
            };
            let b = match self.buckets.iter().position(|b| b.name == bucket) {
                Some(b) => b,
                None => {
                    let kind = parse_kind(bucket).ok_or_else(|| {
                        fail(format!(
                            "no bucket is called `{bucket}`: use product, tech or ktlo, or define the bucket and its kind in a rules file"
                        ))
                    })?;
                    self.bucket(bucket, kind)
                }
            };
            added.push((b, matcher));
        }
        if !flags.is_empty() {
            self.origin = if self.rules.is_empty() {
                "--rule flags".into()
            } else {
                format!("--rule flags, then the {}", self.origin)
            };
        }
        added.append(&mut self.rules);
        self.rules = added;
        Ok(self)
    }

    /// The bucket of the first rule `item` matches.
    pub fn classify(&self, item: &WorkItem) -> Option<usize> {
        self.rules
            .iter()
            .find(|(_, m)| m.matches(item))
            .map(|(b, _)| *b)
    }

    /// Per bucket, in order: its name, kind and the rules that fill it.
    pub fn describe(&self) -> Vec<(String, BucketKind, Vec<String>)> {
        self.buckets
            .iter()
            .enumerate()
            .map(|(b, bucket)| {
                let rules = self
                    .rules
                    .iter()
                    .filter(|(i, _)| *i == b)
                    .map(|(_, m)| m.describe())
                    .collect();
                (bucket.name.clone(), bucket.kind, rules)
            })
            .collect()
    }
}

/// 1-based line and column of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (Option<usize>, Option<usize>) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (Some(line), Some(column))
}

/// The line of the first occurrence of `needle`.
fn line_of_text(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).and_then(|i| line_column(text, i).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::history::ItemState;

    fn item(item_type: &str, labels: &[&str], title: &str) -> WorkItem {
        WorkItem {
            id: "1".into(),
            team: "a".into(),
            title: title.into(),
            item_type: item_type.into(),
            labels: labels.iter().map(|s| s.to_string()).collect(),
            status: String::new(),
            created: None,
            started: None,
            done: None,
            state: ItemState::Open,
            bucket: None,
            source: String::new(),
        }
    }

    #[test]
    fn the_first_matching_bucket_wins() {
        let rules = Rules::parse(
            "r.toml",
            r#"
[[buckets]]
name = "run"
kind = "ktlo"
types = ["Bug"]
titles = ["hotfix"]

[[buckets]]
name = "platform"
kind = "tech"
labels = ["tech-debt", "infra"]

[[buckets]]
name = "roadmap"
kind = "product"
anything = true
"#,
        )
        .unwrap();
        assert_eq!(rules.classify(&item("bug", &["tech-debt"], "x")), Some(0));
        assert_eq!(
            rules.classify(&item("Story", &["feature", "Infra"], "x")),
            Some(1)
        );
        assert_eq!(rules.classify(&item("Story", &[], "HOTFIX login")), Some(0));
        assert_eq!(rules.classify(&item("Story", &[], "x")), Some(2));
        let flagged = rules.with_flags(&["product=label:infra".into()]).unwrap();
        assert_eq!(flagged.buckets.len(), 4, "a new bucket `product`");
        assert_eq!(flagged.classify(&item("Story", &["infra"], "x")), Some(3));
    }

    #[test]
    fn built_in_rules_leave_the_unknown_unmatched() {
        let rules = Rules::builtin();
        let name = |i: &WorkItem| rules.classify(i).map(|b| rules.buckets[b].name.clone());
        assert_eq!(name(&item("Bug", &[], "")).as_deref(), Some("ktlo"));
        assert_eq!(
            name(&item("Task", &["tech-debt"], "")).as_deref(),
            Some("tech")
        );
        assert_eq!(name(&item("Story", &[], "")).as_deref(), Some("product"));
        assert_eq!(name(&item("Task", &["docs"], "")), None);
    }

    #[test]
    fn bad_rules_say_where_and_what() {
        let e = Rules::parse(
            "r.toml",
            "[[buckets]]\nname = \"x\"\nkind = \"tech\"\nlables = []\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.column), (Some(4), Some(1)), "{e}");
        assert!(e.to_string().contains("lables"), "{e}");
        let e = Rules::parse(
            "r.toml",
            "[[buckets]]\nname = \"x\"\nkind = \"debt\"\nanything = true\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("kind must be product, tech or ktlo"),
            "{e}"
        );
        let e = Rules::parse("r.toml", "[[buckets]]\nname = \"x\"\nkind = \"tech\"\n").unwrap_err();
        assert!(e.to_string().contains("no rules"), "{e}");
        let e = Rules::builtin()
            .with_flags(&["platform=label:x".into()])
            .unwrap_err();
        assert!(
            e.to_string().contains("no bucket is called `platform`"),
            "{e}"
        );
        let e = Rules::builtin()
            .with_flags(&["tech=colour:red".into()])
            .unwrap_err();
        assert!(e.to_string().contains("type, label or title"), "{e}");
    }
}
