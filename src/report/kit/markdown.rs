//! A [`Table`] as a Markdown (GitHub-flavoured) table, for pasting into a planning document.

use super::table::{Align, Table};

/// `| a | b |` rows under a header and its alignment row; cells trimmed (the text format's
/// padding means nothing here), `|` in them escaped.
pub fn table(table: &Table) -> String {
    let escape = |cell: &str| cell.trim().replace('|', "\\|");
    let mut out = String::new();
    let header: Vec<String> = table.columns.iter().map(|(h, _)| escape(h)).collect();
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<&str> = table
        .columns
        .iter()
        .map(|(_, align)| match align {
            Align::Left => ":---",
            Align::Right => "---:",
        })
        .collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_in_markdown() {
        let mut t = Table::new(&[("strategy", Align::Left), ("score", Align::Right)]);
        t.push(vec!["80|20".into(), " 0.331".into()]);
        assert_eq!(
            table(&t),
            "| strategy | score |\n|:---|---:|\n| 80\\|20 | 0.331 |\n"
        );
    }
}
