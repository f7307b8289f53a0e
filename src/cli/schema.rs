//! `fulcrum schema`: the JSON Schema of the scenario file on stdout, for editors.

use super::Failure;

/// Arguments of `fulcrum schema`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Save it next to your scenarios and point the editor at it, for example:\n  \
    fulcrum schema > fulcrum.schema.json\n  \
    then put `#:schema ./fulcrum.schema.json` on the first line of a scenario (taplo, Even \
    Better TOML)"
)]
pub struct SchemaArgs {}

pub fn schema(_: &SchemaArgs) -> Result<(), Failure> {
    let schema = fulcrum::scenario::schema::scenario_schema();
    let text = serde_json::to_string_pretty(&schema).expect("a JSON value serialises");
    println!("{text}");
    Ok(())
}
