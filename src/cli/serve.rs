//! `fulcrum serve`: the interactive what-if page on a local web server.

use std::net::IpAddr;
use std::path::PathBuf;

use fulcrum::pipeline::Budget;
use fulcrum::serve::{self, Server, Settings};
use fulcrum::words::numbers::{count, counted};

use super::{Failure, SimulationFlags};

/// Arguments of `fulcrum serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Scenario file (.toml or .json).
    scenario: PathBuf,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything but the loopback address lets other machines use the
    /// page, without authentication.
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    host: IpAddr,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
    /// Trials of the fast preview each change gets first (at least 1). Default: as many as
    /// this machine simulates in about 250 ms, 1,000 to 2,000.
    #[arg(long, value_name = "N")]
    preview_trials: Option<u64>,
    #[command(flatten)]
    simulation: SimulationFlags,
}

pub fn serve(args: &ServeArgs) -> Result<(), Failure> {
    // Checks --trials and --threads as every simulating command does.
    args.simulation.trials_and_seed(None)?;
    if args.preview_trials == Some(0) {
        return Err(Failure::bad_input("--preview-trials must be at least 1"));
    }
    let pool = args.simulation.pool()?;
    let settings = Settings {
        trials: args.simulation.trials,
        seed: args.simulation.seed,
        preview_trials: args.preview_trials,
    };
    let app = serve::load(&args.scenario, settings, pool)?;
    let (preview, refined) = (app.preview_trials, app.info.trials);
    // The server runs the file's refined run at start-up and has no --yes: hold it to the
    // budget every answer is held to.
    let estimate = app
        .base
        .scenario
        .estimate(refined, app.pool.current_num_threads());
    if estimate.over_budget() {
        return Err(Failure::bad_input(format!(
            "{}, more than the server runs (a budget of {}): lower --trials (now {refined}) \
             or the horizon",
            estimate.describe(),
            Budget::describe()
        )));
    }
    for warning in &app.base.scenario.warnings {
        eprintln!("{warning}");
    }
    if !args.host.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can use the page \
             (there is no authentication)",
            args.host
        );
    }
    let server = Server::bind(app, args.host, args.port).map_err(|error| {
        let hint = if error.kind() == std::io::ErrorKind::AddrInUse {
            ": try another --port, or --port 0 for any free one".to_string()
        } else {
            String::new()
        };
        Failure::Runtime(anyhow::anyhow!(
            "cannot listen on {}:{}: {error}{hint}",
            args.host,
            args.port
        ))
    })?;
    let address = server.address().map_err(|e| Failure::Runtime(e.into()))?;
    let url = format!("http://{address}/");
    println!(
        "serving {} on {url} (previews of {}, refined to {}; Ctrl-C to stop)",
        args.scenario.display(),
        counted(preview, "trial", "trials"),
        count(refined)
    );
    server.warm_up();
    if args.open {
        open(&url);
    }
    server.run().map_err(|e| Failure::Runtime(e.into()))
}

/// Opens `url` in the default browser; a failure only prints a note.
fn open(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(error) = std::process::Command::new(command).arg(url).spawn() {
        eprintln!("note: could not open a browser ({command}: {error}); open {url} yourself");
    }
}
