//! `fulcrum man --out DIR`: a man page for fulcrum and for each of its commands, rendered by
//! clap_mangen from the same argument definitions the binary parses.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;

use super::{Cli, Failure};

/// Arguments of `fulcrum man`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    fulcrum man --out ~/.local/share/man/man1\n  \
    man fulcrum-run")]
pub struct ManArgs {
    /// Folder to write the pages to (created if missing): fulcrum.1 and fulcrum-<command>.1.
    /// A page already there is replaced only if fulcrum wrote it.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// Every man page: the file name and its roff text, the top-level page first.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    fn collect(command: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) {
        let page = clap_mangen::Man::new(command.clone())
            .source(format!("fulcrum {}", env!("CARGO_PKG_VERSION")))
            .manual("fulcrum manual");
        let mut roff = Vec::new();
        page.render(&mut roff)
            .expect("rendering into memory cannot fail");
        pages.push((page.get_filename(), roff));
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            collect(sub.clone(), pages);
        }
    }
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut pages = Vec::new();
    collect(command, &mut pages);
    pages
}

/// Whether `path` holds a man page fulcrum wrote (its title line names fulcrum), so that
/// writing the pages again replaces it and nothing else.
fn written_by_fulcrum(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| {
        text.lines()
            .any(|line| line.starts_with(".TH fulcrum") || line.starts_with(".TH \"fulcrum"))
    })
}

pub fn man(args: &ManArgs) -> Result<(), Failure> {
    let pages = pages();
    // Refuse before writing anything: a file of the same name that fulcrum did not write.
    for (name, _) in &pages {
        let path = args.out.join(name);
        if path.exists() && !written_by_fulcrum(&path) {
            return Err(Failure::bad_input(format!(
                "{} exists and is not a man page fulcrum wrote: not replacing it; choose \
                 another --out",
                path.display()
            )));
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))
        .map_err(Failure::Runtime)?;
    for (name, roff) in &pages {
        // Each page whole or not at all: written beside its place, then renamed over it.
        let path = args.out.join(name);
        let staging = args.out.join(format!(".{name}.partial"));
        std::fs::write(&staging, roff)
            .and_then(|()| std::fs::rename(&staging, &path))
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::Runtime)?;
    }
    println!(
        "wrote {} man pages to {} (`man fulcrum`, `man fulcrum-run`, …; add its parent to \
         MANPATH if man does not find them)",
        pages.len(),
        args.out.display()
    );
    Ok(())
}
