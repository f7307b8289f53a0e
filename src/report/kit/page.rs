//! The HTML page every command's `report.html` is built on: one self-contained page (inline
//! SVG and CSS, nothing fetched from anywhere) opened by [`page_start`] with the house style,
//! its charts inlined by [`figure`], and text escaped by [`escape`].

use std::fmt::Write;

use super::charts::Plot;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', 'DejaVu Sans', sans-serif;
       max-width: 1320px; margin: 2em auto; padding: 0 1.5em; color: #222; line-height: 1.45; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.question { font-size: 1.2em; color: #444; margin-top: 0; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.8em 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.3em 0.8em; border-bottom: 1px solid #e4e4e4; text-align: right; }
th { background: #f4f4f4; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
figure { margin: 1.5em 0; }
figure .chart { overflow-x: auto; max-width: 100%; }
figure svg { display: block; width: 100%; max-width: 100%; height: auto; border: 1px solid #eee; }
.answer { background: #f5f8fb; border-left: 4px solid #0072b2; padding: 0.6em 1.2em; }
.answer p { margin: 0.5em 0; }
@media (max-width: 820px) {
  body { padding: 0 0.8em; margin: 1em auto; }
  /* Charts keep legible text: at least 800 px wide, scrolled sideways inside their frame. */
  figure svg { width: 800px; max-width: none; }
}
figcaption { color: #444; margin-top: 0.4em; }
.muted { color: #777; }
.low { color: #b00; font-weight: 600; }
";

/// One chart as a figure: the inline SVG in a frame that scrolls sideways on narrow screens,
/// its title, caption and file names.
pub fn figure(h: &mut String, plot: &Plot) {
    let _ = writeln!(
        h,
        "<figure id=\"{}\">\n<div class=\"chart\">{}</div>\n<figcaption><strong>{}.</strong> {} \
         <span class=\"muted\">({}.svg, {}.png)</span></figcaption>\n</figure>",
        escape(plot.stem.trim_start_matches("plots/")),
        strip_xml_prolog(&plot.svg),
        escape(&plot.title),
        escape(&plot.caption),
        escape(&plot.stem),
        escape(&plot.stem)
    );
}

/// Opens a page: doctype, head with `title` (already escaped) and the inline style, body.
pub fn page_start(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    );
}

/// An SVG document as an inline element: without its XML prolog.
pub fn strip_xml_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<b>\"R&D\" 'x'</b>"),
            "&lt;b&gt;&quot;R&amp;D&quot; &#39;x&#39;&lt;/b&gt;"
        );
    }
}
