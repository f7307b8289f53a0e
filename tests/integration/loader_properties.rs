//! The loader never panics, whatever it is fed: arbitrary bytes, arbitrary TOML documents,
//! and well-formed scenarios with one field replaced by an arbitrary value.

use fulcrum::scenario::{self, Format};
use proptest::prelude::*;

const BASE: &str = include_str!("../../scenarios/balanced-okrs.toml");

/// Arbitrary TOML values, nested a little.
fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        any::<f64>().prop_map(|f| {
            if f.is_nan() {
                "nan".to_string()
            } else if f.is_infinite() {
                if f > 0.0 { "inf".into() } else { "-inf".into() }
            } else {
                format!("{f:?}")
            }
        }),
        any::<bool>().prop_map(|b| b.to_string()),
        "[a-z0-9 %.+-]{0,12}".prop_map(|s| format!("{s:?}")),
        Just("\"5 to 10\"".to_string()),
        Just("\"-3% to 4%\"".to_string()),
        Just("2027-01-04".to_string()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z]{1,8}", inner), 0..3).prop_map(|kv| {
                let fields: Vec<String> =
                    kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = scenario::load_str("x.toml", &text, Format::Toml);
        let _ = scenario::load_str("x.json", &text, Format::Json);
    }

    #[test]
    fn arbitrary_toml_documents_never_panic(fields in prop::collection::vec(("[a-z_]{1,12}", toml_value()), 0..8)) {
        let mut text = String::from("[scenario]\n");
        for (k, v) in &fields {
            text.push_str(&format!("{k} = {v}\n"));
        }
        let _ = scenario::load_str("x.toml", &text, Format::Toml);
    }

    /// Replaces the value on one line of a real scenario with an arbitrary value. Every case
    /// that loads runs the whole search: about 50 s, the last test left running in a plain
    /// `cargo test --release`, so it is opt-in there and `.ci/run` runs it by name.
    #[test]
    #[ignore = "about 50 s (a search per case); .ci/run runs it by name"]
    fn any_field_replaced_by_any_value_never_panics(line in 0usize..300, value in toml_value()) {
        let lines: Vec<&str> = BASE.lines().collect();
        let line = line % lines.len();
        let mut out = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            match (i == line, l.split_once(" = ")) {
                (true, Some((key, _))) => out.push(format!("{key} = {value}")),
                _ => out.push(l.to_string()),
            }
        }
        // Whatever loads must also plan and simulate without panicking.
        if let Ok(loaded) = scenario::load_str("x.toml", &out.join("\n"), Format::Toml) {
            let settings = fulcrum::simulate::Settings::for_run(&loaded.scenario, 4, 1);
            let _ = fulcrum::pipeline::run(&loaded.scenario, &fulcrum::pipeline::Options::new(settings), &|_| {});
        }
    }

    /// `--set` with arbitrary paths and values never panics either.
    #[test]
    fn arbitrary_overrides_never_panic(path in "[a-z_./0-9]{0,30}", value in toml_value()) {
        if let Ok(mut doc) = scenario::Document::parse("x.toml", BASE, Format::Toml, "x")
            && doc.set(&[format!("{path}={value}")]).is_ok()
        {
            let _ = doc.compile();
        }
    }
}
