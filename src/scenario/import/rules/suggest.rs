//! A rule to paste for the commonest issue types and labels no rule matched: counted over the
//! unmatched finished items, each offered as a `--rule` flag whose bucket is a guess from the
//! word (`bug`, `fix`, `incident` → keep-the-lights-on; `debt`, `refactor`, `upgrade`, `test`,
//! `ci` → tech; anything else → product), for the user to keep or change. A flag goes before
//! every other rule, so each suggestion also says how many already-sorted items it would
//! take over.

use std::collections::HashMap;

use super::{Matcher, Rules};
use crate::model::history::{BucketKind, ItemState, WorkItem};

/// A rule to paste for items no rule matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What the items have in common: `type Task`, `label documentation`.
    pub what: String,
    /// Unmatched finished items that have it.
    pub items: usize,
    /// The `--rule` flag that would match them, quoted for a shell when it must be.
    pub flag: String,
    /// Finished items another rule sorts now that the flag would take from it, since a flag
    /// is tried before every other rule (a label on bugs as well as on the unmatched tasks).
    pub takes_over: usize,
}

/// Word stems that suggest keep-the-lights-on or tech work.
const KTLO_STEMS: &[&str] = &[
    "bug", "fix", "hotfix", "incident", "support", "crash", "error", "defect", "outage", "regress",
    "question", "ops",
];
const TECH_STEMS: &[&str] = &[
    "debt",
    "refactor",
    "upgrade",
    "infra",
    "test",
    "ci",
    "build",
    "perf",
    "secur",
    "cleanup",
    "migrat",
    "depend",
    "chore",
    "platform",
    "tool",
    "devops",
    "technical",
];

/// The kind a type or label most likely names, from its words.
fn likely_kind(value: &str) -> BucketKind {
    let lower = value.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |stems: &[&str]| words.iter().any(|w| stems.iter().any(|s| w.starts_with(s)));
    if has(KTLO_STEMS) {
        BucketKind::Ktlo
    } else if has(TECH_STEMS) {
        BucketKind::Tech
    } else {
        BucketKind::Product
    }
}

/// `text` as one shell word: as it is when it holds only safe characters, else in single
/// quotes.
fn shell_word(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_.:/=+-,@%".contains(c);
    if text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// The `most` commonest types and labels (and "no type and no label") of the finished items
/// no rule of `rules` matched, commonest first, each with a rule to paste.
pub fn suggest(rules: &Rules, items: &[WorkItem], most: usize) -> Vec<Suggestion> {
    let mut counts: HashMap<Matcher, usize> = HashMap::new();
    for item in items
        .iter()
        .filter(|i| i.bucket.is_none() && i.state == ItemState::Done)
    {
        let kind = item.item_type.trim();
        if !kind.is_empty() {
            *counts.entry(Matcher::Type(kind.to_string())).or_default() += 1;
        }
        let mut labels: Vec<&str> = item.labels.iter().map(|l| l.trim()).collect();
        labels.sort_unstable();
        labels.dedup();
        for label in labels {
            *counts.entry(Matcher::Label(label.to_string())).or_default() += 1;
        }
        if kind.is_empty() && item.labels.is_empty() {
            *counts.entry(Matcher::Unlabelled).or_default() += 1;
        }
    }
    let mut ranked: Vec<(Matcher, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then_with(|| a.0.describe().cmp(&b.0.describe()))
    });
    ranked
        .into_iter()
        .take(most)
        .map(|(matcher, n)| {
            let kind = match &matcher {
                Matcher::Type(v) | Matcher::Label(v) => likely_kind(v),
                _ => BucketKind::Product,
            };
            let bucket = rules
                .buckets
                .iter()
                .find(|b| b.kind == kind)
                .map_or(kind.as_str(), |b| b.name.as_str());
            let takes_over = items
                .iter()
                .filter(|i| i.bucket.is_some() && i.state == ItemState::Done)
                .filter(|i| matcher.matches(i))
                .count();
            Suggestion {
                what: matcher.describe(),
                items: n,
                takes_over,
                flag: format!(
                    "--rule {}",
                    shell_word(&format!("{bucket}={}", matcher.flag()))
                ),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_suggest_their_kind() {
        assert_eq!(likely_kind("Bug Fix"), BucketKind::Ktlo);
        assert_eq!(likely_kind("area/ci"), BucketKind::Tech);
        assert_eq!(likely_kind("Technical task"), BucketKind::Tech);
        assert_eq!(likely_kind("social"), BucketKind::Product, "not `ci`");
        assert_eq!(likely_kind("Task"), BucketKind::Product);
        assert_eq!(shell_word("product=type:Task"), "product=type:Task");
        assert_eq!(
            shell_word("product=label:good first issue"),
            "'product=label:good first issue'"
        );
        assert_eq!(shell_word("product=label:it's"), r"'product=label:it'\''s'");
    }
}
