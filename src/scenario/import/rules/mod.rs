//! Bucket rules: which bucket (product, tech, keep-the-lights-on, or the user's own names)
//! each item goes to, by issue type, label or a word in its title. Rules come from `--rule`
//! flags (tried first), a small TOML rules file, and the built-in rules for the common Jira,
//! Linear and GitHub vocabularies (`builtin.rs`), tried last unless `--no-default-rules`. The
//! first matching rule wins; items no rule matches are counted as unmatched, never dropped,
//! and `suggest.rs` offers a rule for the commonest of them.

mod builtin;
mod suggest;

use std::path::Path;

use serde::Deserialize;

use crate::model::history::{Bucket, BucketKind, WorkItem};

pub use suggest::{Suggestion, suggest};

// Names and values escaped as the items' fields are: a rule compares with them, and a
// bucket's name is shown and written.
use super::{ImportProblem, escaped};
use crate::scenario::limits::{self, MAX_SCENARIO_BYTES};

/// What a rule looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Matcher {
    /// The issue type, ignoring case.
    Type(String),
    /// One of the labels, ignoring case.
    Label(String),
    /// The title contains this text, ignoring case.
    Title(String),
    /// Items with neither an issue type nor a label: the unlabelled work of a tracker
    /// without issue types (Linear, GitHub).
    Unlabelled,
    /// Every item (a catch-all).
    Any,
}

impl Matcher {
    fn matches(&self, item: &WorkItem) -> bool {
        match self {
            Matcher::Type(t) => item.item_type.trim().eq_ignore_ascii_case(t),
            Matcher::Label(l) => item.labels.iter().any(|x| label_matches(x, l)),
            Matcher::Title(w) => item.title.to_lowercase().contains(&w.to_lowercase()),
            Matcher::Unlabelled => item.item_type.trim().is_empty() && item.labels.is_empty(),
            Matcher::Any => true,
        }
    }

    /// `type Bug`, `label tech-debt`, `title "hotfix"`, `no type and no label`, `anything`.
    pub fn describe(&self) -> String {
        match self {
            Matcher::Type(t) => format!("type {t}"),
            Matcher::Label(l) => format!("label {l}"),
            Matcher::Title(w) => format!("title contains \"{w}\""),
            Matcher::Unlabelled => "no type and no label".into(),
            Matcher::Any => "anything".into(),
        }
    }

    /// The `--rule` flag's `FIELD:VALUE` (or `*`, `unlabelled`) for this matcher.
    pub fn flag(&self) -> String {
        match self {
            Matcher::Type(t) => format!("type:{t}"),
            Matcher::Label(l) => format!("label:{l}"),
            Matcher::Title(w) => format!("title:{w}"),
            Matcher::Unlabelled => "unlabelled".into(),
            Matcher::Any => "*".into(),
        }
    }
}

/// Whether `label` is the rule's `word`, ignoring case and surrounding spaces; a word without
/// `:` or `/` also matches a label's last part after one (`bug` matches `type: bug`,
/// `kind/bug` and `Type/Bug`), the way trackers prefix their labels.
fn label_matches(label: &str, word: &str) -> bool {
    let label = label.trim();
    if label.eq_ignore_ascii_case(word) {
        return true;
    }
    if word.contains([':', '/']) {
        return false;
    }
    label
        .rsplit_once([':', '/'])
        .is_some_and(|(_, last)| last.trim().eq_ignore_ascii_case(word))
}

/// Export columns the rules file renames: which column holds the team and the start date.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// Column holding the team (Jira: e.g. `Custom field (Team)`).
    pub team: Option<String>,
    /// Column holding the date work started (Jira: e.g. `Custom field (Start date)`).
    pub started: Option<String>,
    /// Column holding the estimate (Jira: e.g. `Custom field (Story Points)`).
    pub points: Option<String>,
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
    unlabelled: bool,
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
    /// No buckets and no rules: for `--rule` flags alone.
    pub fn none() -> Rules {
        Rules::empty(String::new())
    }

    /// The built-in rules alone ([`builtin`]): buckets `ktlo`, `tech` and `product`.
    pub fn builtin() -> Rules {
        Rules::none().then_builtin()
    }

    /// These rules, then the built-in ones ([`builtin`]): each built-in rule fills the first
    /// bucket of its kind these rules define (so that a rules file's `platform` bucket of
    /// kind tech takes the built-in tech rules too), else a new bucket named after its kind.
    pub fn then_builtin(mut self) -> Rules {
        for (kind, types, labels) in builtin::BUILT_IN {
            let b = match self.buckets.iter().position(|b| b.kind == kind) {
                Some(b) => b,
                None => {
                    let taken = self.buckets.iter().any(|b| b.name == kind.as_str());
                    let name = if taken {
                        format!("{} (built-in)", kind.as_str())
                    } else {
                        kind.as_str().to_string()
                    };
                    self.bucket(&name, kind)
                }
            };
            let matchers = (types.iter().map(|t| Matcher::Type(t.to_string())))
                .chain(labels.iter().map(|l| Matcher::Label(l.to_string())));
            self.rules.extend(matchers.map(|m| (b, m)));
            if kind == BucketKind::Product {
                self.rules.push((b, Matcher::Unlabelled));
            }
        }
        self.origin = if self.origin.is_empty() {
            "built-in rules".into()
        } else {
            format!("{}, then the built-in rules", self.origin)
        };
        self
    }

    /// The rules in force, in the order they are tried, one a line: number, bucket (kind),
    /// what it matches, and the `--rule` flag that would add it.
    pub fn listing(&self) -> String {
        let width = self
            .buckets
            .iter()
            .map(|b| b.name.chars().count() + b.kind.as_str().len() + 3)
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "Rules in force ({}); the first that matches an item wins:\n",
            if self.origin.is_empty() {
                "none"
            } else {
                &self.origin
            }
        );
        for (k, (b, m)) in self.rules.iter().enumerate() {
            let bucket = &self.buckets[*b];
            let name = format!("{} ({})", bucket.name, bucket.kind.as_str());
            out.push_str(&format!("{:>4}  {name:<width$}  {}\n", k + 1, m.describe()));
        }
        out.push_str(
            "Labels: a rule's plain word also matches a label's last part (`bug` matches \
             `type: bug` and `kind/bug`); types and labels ignore case.\n",
        );
        out
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
                     types, labels, titles, unlabelled = true or anything = true; and optionally \
                     [columns] team / started / points"
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
            if b.types.is_empty()
                && b.labels.is_empty()
                && b.titles.is_empty()
                && !b.anything
                && !b.unlabelled
            {
                return Err(ImportProblem {
                    file: file.to_string(),
                    line: where_,
                    column: None,
                    message: format!("bucket `{}` has no rules, so nothing can go in it", b.name),
                    help: Some(
                        "add types = [...], labels = [...], titles = [...], unlabelled = true or \
                         anything = true"
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
            if b.unlabelled {
                rules.rules.push((i, Matcher::Unlabelled));
            }
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
                help: Some("write --rule tech=label:tech-debt, --rule ktlo=type:Bug, --rule product=title:feature, --rule product=unlabelled or --rule product=*".into()),
            }
            };
            let (bucket, matcher) = flag
                .split_once('=')
                .ok_or_else(|| fail("expected BUCKET=FIELD:VALUE".into()))?;
            let bucket = escaped(bucket.trim().to_string());
            let bucket = bucket.as_str();
            let matcher = match matcher.trim() {
                "*" => Matcher::Any,
                "unlabelled" | "unlabeled" => Matcher::Unlabelled,
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
        self.matching_rule(item).map(|k| self.rules[k].0)
    }

    /// The index of the first rule `item` matches.
    pub fn matching_rule(&self, item: &WorkItem) -> Option<usize> {
        self.rules.iter().position(|(_, m)| m.matches(item))
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
            estimate: None,
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
