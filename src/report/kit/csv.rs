//! The one way fulcrum writes a CSV: every cell, headers included, goes through the formula
//! guard ([`text_cell`]) on its way into the file, so that no name, title or label from a
//! scenario or an export reaches a spreadsheet as a formula, whichever command wrote it.

use std::borrow::Cow;

use anyhow::Result;

/// A text cell of a CSV, safe to open in a spreadsheet. A cell that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be read as a formula (CSV injection: a strategy
/// called `=HYPERLINK(...)`, a Jira summary `+cmd|' /C calc'!A0`), so unless it is a number it
/// gets a leading `'`, which spreadsheet tools show as text and hide (the OWASP advice).
pub fn text_cell(text: &str) -> Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// A plain decimal number: `-5`, `+0.25`, `1e-7` (not `inf` or `nan`, which are words).
pub fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (all_digits(whole) || whole.is_empty())
                && (all_digits(fraction) || fraction.is_empty())
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => all_digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(all_digits)
}

/// A CSV being written in memory, each cell guarded ([`text_cell`]): numbers, dates and
/// plain words pass unchanged.
pub struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A CSV with this header row.
    pub fn new<I, S>(header: I) -> Result<CsvWriter>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut table = CsvWriter {
            writer: csv::Writer::from_writer(Vec::new()),
        };
        table.row(header)?;
        Ok(table)
    }

    /// Writes one row.
    pub fn row<I, S>(&mut self, cells: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let guarded: Vec<Cow<str>> = cells
            .into_iter()
            .map(|c| Cow::Owned(text_cell(c.as_ref()).into_owned()))
            .collect();
        self.writer
            .write_record(guarded.iter().map(|c| c.as_ref()))?;
        Ok(())
    }

    /// The CSV's bytes.
    pub fn finish(self) -> Result<Vec<u8>> {
        self.writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_a_spreadsheet_would_run_as_a_formula_is_escaped() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd", "'+cmd"),
            ("-legacy", "'-legacy"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-inf", "'-inf"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+0.25", "+0.25"),
            ("-1e-7", "-1e-7"),
            ("-.5", "-.5"),
            ("80/20", "80/20"),
            ("a=b", "a=b"),
            ("2027-01-04", "2027-01-04"),
            ("", ""),
        ] {
            assert_eq!(text_cell(text), cell, "{text:?}");
        }
    }

    #[test]
    fn every_cell_of_a_written_csv_is_guarded() {
        let mut w = CsvWriter::new(["name", "=x"]).unwrap();
        w.row(["@SUM(A1)", "-3"]).unwrap();
        w.row(["plain", "+cmd|' /C calc'!A0"]).unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "name,'=x\n'@SUM(A1),-3\nplain,'+cmd|' /C calc'!A0\n");
    }
}
