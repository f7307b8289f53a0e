//! The names that tie a scenario together (teams, initiatives, key results, strategies): each
//! is one string however it was typed, and none hides a character that prints as nothing.
//!
//! Names are normalised to Unicode NFC, so `café` typed with a combining accent (NFD) is the
//! same name as `café` typed precomposed, and two names that differ only there are the same
//! name twice. A name holding a control character (an escape sequence would reach the
//! terminal), a format character (zero-width space, joiners, direction overrides, soft hyphen)
//! or a line separator is refused: `core` and `core` + U+200B print alike but would be two
//! teams.

use unicode_normalization::UnicodeNormalization;

/// `name` in NFC.
pub fn nfc(name: &str) -> String {
    name.nfc().collect()
}

/// The first character of `name` that prints as nothing or moves the terminal, with its
/// position (from 1, in characters), and what it is.
pub fn invisible(name: &str) -> Option<(usize, char, &'static str)> {
    name.chars().enumerate().find_map(|(i, c)| {
        let what = if c.is_control() {
            "a control character"
        } else if is_format(c) {
            "an invisible formatting character"
        } else if matches!(c, '\u{2028}' | '\u{2029}') {
            "a line separator"
        } else {
            return None;
        };
        Some((i + 1, c, what))
    })
}

/// `name` with every character [`invisible`] finds shown as its code point, `\u{200b}`: what
/// a message may quote.
pub fn shown(name: &str) -> String {
    name.chars()
        .map(|c| match invisible(c.encode_utf8(&mut [0; 4])) {
            Some(_) => c.escape_unicode().to_string(),
            None => c.to_string(),
        })
        .collect()
}

/// Whether `c` is of Unicode's general category Cf (format), as of Unicode 15.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_is_one_string_and_invisible_characters_are_found() {
        assert_eq!(nfc("cafe\u{301}"), "café");
        assert_eq!(nfc("café"), "café");
        assert_eq!(invisible("core"), None);
        assert_eq!(
            invisible("core\u{200b}"),
            Some((5, '\u{200b}', "an invisible formatting character"))
        );
        assert_eq!(invisible("a\u{1b}[31m").map(|(at, ..)| at), Some(2));
        assert_eq!(
            invisible("x\u{2028}").map(|(.., what)| what),
            Some("a line separator")
        );
        assert_eq!(invisible("plateforme-données 🚀"), None);
        assert_eq!(shown("core\u{200b}"), "core\\u{200b}");
        assert_eq!(shown("a\u{1b}b"), "a\\u{1b}b");
    }
}
