//! A command's headline table, built once as a [`Table`] of formatted cells and printed in the
//! format asked for ([`Format`]): aligned text for the terminal (here), Markdown for a planning
//! document ([`super::markdown`]); each command's JSON document lives in its own folder
//! (`run/json.rs`, `sweep/json.rs`, `forecast/json.rs`).

/// Which side of its column a cell keeps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Flush left, padded on the right (text such as names).
    Left,
    /// Flush right, padded on the left (numbers).
    Right,
}

/// A table of already formatted cells: what every text format renders.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column headers and alignments.
    pub columns: Vec<(String, Align)>,
    /// Rows of cells, one per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns and no rows.
    pub fn new(columns: &[(&str, Align)]) -> Table {
        Table {
            columns: columns
                .iter()
                .map(|(name, align)| (name.to_string(), *align))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are empty.
    pub fn push(&mut self, mut row: Vec<String>) {
        row.resize(self.columns.len(), String::new());
        self.rows.push(row);
    }

    /// Each column's width in characters: its widest cell or header.
    fn widths(&self) -> Vec<usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(c, (header, _))| {
                self.rows
                    .iter()
                    .map(|row| row[c].chars().count())
                    .chain(std::iter::once(header.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Aligned columns two spaces apart, each line after `indent`, without trailing spaces.
    pub fn aligned(&self, indent: &str) -> String {
        let widths = self.widths();
        let line = |cells: Vec<&str>| {
            let mut text = String::from(indent);
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    text.push_str("  ");
                }
                let pad = widths[c].saturating_sub(cell.chars().count());
                match self.columns[c].1 {
                    Align::Left => {
                        text.push_str(cell);
                        text.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        text.push_str(&" ".repeat(pad));
                        text.push_str(cell);
                    }
                }
            }
            let mut text = text.trim_end().to_string();
            text.push('\n');
            text
        };
        let mut out = line(self.columns.iter().map(|(h, _)| h.as_str()).collect());
        for row in &self.rows {
            out.push_str(&line(row.iter().map(String::as_str).collect()));
        }
        out
    }
}

/// How a command prints its headline table on stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for a terminal.
    #[default]
    Text,
    /// A Markdown table, to paste into a planning document.
    Markdown,
    /// One JSON document (each command's `json.rs` holds its schema).
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_never_run_together() {
        let mut table = Table::new(&[("team", Align::Left), ("days", Align::Right)]);
        table.push(vec!["integrations".into(), "100".into()]);
        table.push(vec!["core".into(), "2,968".into()]);
        assert_eq!(
            table.aligned("  "),
            "  team           days\n  integrations    100\n  core          2,968\n"
        );
    }
}
