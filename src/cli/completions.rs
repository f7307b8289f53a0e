//! `fulcrum completions SHELL`: a completion script for the shell, from the same argument
//! definitions the binary parses.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Failure};

/// Arguments of `fulcrum completions`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Install, for example:\n  \
    fulcrum completions bash > ~/.local/share/bash-completion/completions/fulcrum\n  \
    fulcrum completions zsh > ~/.zfunc/_fulcrum    (with fpath+=~/.zfunc before compinit)\n  \
    fulcrum completions fish > ~/.config/fish/completions/fulcrum.fish")]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn completions(args: &CompletionsArgs) -> Result<(), Failure> {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "fulcrum",
        &mut std::io::stdout(),
    );
    Ok(())
}
