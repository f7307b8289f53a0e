//! `fulcrum validate` (check scenario files) and `fulcrum init` (write a template).

use std::path::PathBuf;

use fulcrum::scenario;

use super::{Failure, print_warnings};

/// Arguments of `fulcrum validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files (.toml or .json).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Override a field before validating: path=value (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
}

/// Arguments of `fulcrum init`.
#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Scenario name (also the file name).
    #[arg(default_value = "my-scenario")]
    name: String,
    /// Print the template instead of writing a file.
    #[arg(long)]
    stdout: bool,
}

pub fn validate(args: &ValidateArgs) -> Result<(), Failure> {
    let mut failed = String::new();
    for file in &args.files {
        match scenario::load(file, &args.sets) {
            Ok(loaded) => {
                print_warnings(&loaded.warnings);
                println!(
                    "{}",
                    fulcrum::report::validate::summary(&loaded.scenario, file)
                );
            }
            Err(error) => {
                if let Failure::BadInput(text) = Failure::from(error) {
                    failed.push_str(&text);
                }
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::BadInput(failed))
    }
}

pub fn init(args: &InitArgs) -> Result<(), Failure> {
    let name = &args.name;
    let file = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("my-scenario")
        .to_string();
    if let Err(why) = scenario::check_name(&stem) {
        return Err(Failure::bad_input(format!(
            "`{stem}` cannot name a scenario: {why}; try `fulcrum init {}`",
            why.suggestion(&stem)
        )));
    }
    let text = scenario::template(&stem, &file.display().to_string());
    if args.stdout {
        print!("{text}");
        return Ok(());
    }
    if file.exists() {
        return Err(Failure::BadInput(format!(
            "error: {} already exists; choose another name or remove it first\n",
            file.display()
        )));
    }
    fulcrum::report::write_new_file(&file, text.as_bytes()).map_err(Failure::Runtime)?;
    println!(
        "wrote {0}: edit it, then `fulcrum validate {0}` and `fulcrum run {0}`",
        file.display()
    );
    Ok(())
}
