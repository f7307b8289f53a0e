//! `fulcrum mcp`: a Model Context Protocol server over stdio (the official SDK, rmcp) that
//! offers validate, run, plan, forecast, backtest and import as tools.
//!
//! Each call runs this same binary as a child process with the command's own flags, so a
//! tool has exactly the CLI's checks, limits and refusals (it never passes `--yes` or
//! `--force`), stdout stays the protocol's, and a call that fails cannot take the server down.
//! A tool's arguments are the command's flags, read from the same clap definitions, so they
//! follow the CLI as it changes. Results are JSON: the command's `--json` document where it has
//! one, else its printed summary with its machine-readable files.
//!
//! Files: the server writes only inside the folder it was started with (`--out DIR`). A tool
//! that writes results takes a required `out`, a relative folder inside it; without `--out`,
//! those tools are refused and only `validate` works, writing nothing.

use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use anyhow::Context;
use clap::CommandFactory;
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, JsonObject,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Value, json};

use super::{Cli, Failure};

/// Arguments of `fulcrum mcp`.
#[derive(clap::Args, Debug)]
#[command(after_help = "Register it with an MCP client, for example:\n  \
    {\"mcpServers\": {\"fulcrum\": {\"command\": \"fulcrum\", \"args\": [\"mcp\", \"--out\", \
    \"/home/me/fulcrum-results\"]}}}")]
pub struct McpArgs {
    /// The only folder the tools may write to: each call's results go to a folder inside it,
    /// named by the call's `out`. Without it, only `validate` works and nothing is written.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The commands offered as tools, each with what it says it does and the file of its results
/// returned beside its output (for the commands without a `--json` document).
const TOOLS: [(&str, Output); 6] = [
    ("validate", Output::Text { files: &[] }),
    ("run", Output::Json),
    ("plan", Output::Json),
    ("forecast", Output::Json),
    (
        "backtest",
        Output::Text {
            // The last with --export (the whole model's backtest).
            files: &["backtest.json", "calibration.csv", "model-backtest.json"],
        },
    ),
    (
        "import",
        Output::Text {
            files: &["import.json", "balance.csv"],
        },
    ),
];

/// How a command's result comes back.
#[derive(Clone, Copy)]
enum Output {
    /// Its `--json` document.
    Json,
    /// What it prints, and these files of its results folder (JSON parsed, CSV as rows).
    Text { files: &'static [&'static str] },
}

/// Flags a tool never takes: where results go (the server decides), consent to exceed the
/// budget or replace an edited result (the CLI's refusals stand), how stdout prints (the
/// server reads it), and sharding.
const WITHHELD: [&str; 8] = [
    "out", "force", "yes", "json", "format", "quiet", "shard", "help",
];

/// The server: the folder it may write to, and the tools.
#[derive(Clone)]
struct Server {
    out: Option<Arc<PathBuf>>,
    binary: Arc<PathBuf>,
}

pub fn mcp(args: &McpArgs) -> Result<(), Failure> {
    let binary = std::env::current_exe()
        .context("cannot find the fulcrum binary to run the tools with")
        .map_err(Failure::Runtime)?;
    // Absolute, so that what the tools report stays true whatever the client's folder.
    let out = match &args.out {
        Some(out) => Some(
            std::path::absolute(out)
                .with_context(|| format!("cannot resolve {}", out.display()))
                .map_err(Failure::Runtime)?,
        ),
        None => None,
    };
    let server = Server {
        out: out.map(Arc::new),
        binary: Arc::new(binary),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Runtime(e.into()))?;
    runtime
        .block_on(async {
            let service = server.serve(rmcp::transport::stdio()).await?;
            service.waiting().await?;
            anyhow::Ok(())
        })
        .map_err(Failure::Runtime)
}

/// The clap definition of command `name`.
fn subcommand(name: &str) -> clap::Command {
    let mut cli = Cli::command();
    cli.build();
    cli.find_subcommand(name)
        .unwrap_or_else(|| panic!("fulcrum has a `{name}` command"))
        .clone()
}

/// The arguments a tool takes from `command`'s, with `out` when the command writes results.
fn tool_arguments(command: &clap::Command) -> impl Iterator<Item = &clap::Arg> {
    command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set() && !WITHHELD.contains(&arg.get_id().as_str()))
}

/// Whether an argument takes several values (repeatable, or a positional list).
fn is_list(arg: &clap::Arg) -> bool {
    matches!(arg.get_action(), clap::ArgAction::Append)
        || arg.get_num_args().is_some_and(|n| n.max_values() > 1)
}

/// The input schema of the tool for `command`.
fn input_schema(command: &clap::Command, writes: bool) -> JsonObject {
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for arg in tool_arguments(command) {
        let id = arg.get_id().as_str().to_string();
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        let scalar = json!({ "type": ["string", "number"] });
        let schema = if matches!(arg.get_action(), clap::ArgAction::SetTrue) {
            json!({ "type": "boolean", "description": help })
        } else if is_list(arg) {
            json!({ "type": "array", "items": scalar, "description": help })
        } else {
            json!({ "type": ["string", "number"], "description": help })
        };
        if arg.is_required_set() {
            required.push(json!(id));
        }
        properties.insert(id, schema);
    }
    if writes {
        properties.insert(
            "out".into(),
            json!({
                "type": "string",
                "description": "The results folder, relative to the folder the server was \
                                started with (--out); an earlier result of fulcrum's there is \
                                replaced, anything else is refused",
            }),
        );
        required.push(json!("out"));
    }
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    schema.as_object().cloned().expect("an object")
}

/// The tools, described from the commands' own help.
fn tools() -> Vec<Tool> {
    TOOLS
        .iter()
        .map(|&(name, output)| {
            let command = subcommand(name);
            let about = command
                .get_about()
                .map(|a| a.to_string())
                .unwrap_or_default();
            let writes = name != "validate";
            let returns = match output {
                Output::Json => "Returns the command's JSON document (as `--json` prints it).",
                Output::Text { .. } => "Returns what the command prints, with its result files.",
            };
            Tool::new(
                name,
                format!("{}. {returns}", about.trim_end_matches('.')),
                Arc::new(input_schema(&command, writes)),
            )
        })
        .collect()
}

/// A tool call refused before running: the arguments are wrong. Same shape as a refusal by
/// the command itself.
fn refused(message: impl Into<String>) -> CallToolResult {
    CallToolResult::structured_error(json!({
        "exit_status": 2,
        "error": "bad input",
        "message": message.into(),
    }))
}

/// `out` as a folder inside `root`: relative, without `..`.
fn results_folder(root: &Path, out: &str) -> Result<PathBuf, String> {
    let relative = Path::new(out);
    let inside = !out.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        return Err(format!(
            "`out` must be a folder inside {} (relative, without `..`), found `{out}`",
            root.display()
        ));
    }
    Ok(root.join(relative))
}

/// A JSON value as one command-line word.
fn word(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The command line (after the binary) for calling tool `name` with `arguments`.
fn command_line(
    name: &str,
    arguments: &JsonObject,
    root: Option<&Path>,
) -> Result<(Vec<String>, Option<PathBuf>), String> {
    let command = subcommand(name);
    let mut line = vec![name.to_string()];
    let mut positionals = Vec::new();
    let known: Vec<&clap::Arg> = tool_arguments(&command).collect();
    for (key, value) in arguments {
        if key == "out" {
            continue;
        }
        let arg = known
            .iter()
            .find(|arg| arg.get_id().as_str() == key)
            .ok_or_else(|| format!("`{name}` takes no argument `{key}`"))?;
        let values: Vec<&Value> = match value {
            Value::Array(items) if is_list(arg) => items.iter().collect(),
            Value::Bool(true) => {
                line.push(format!("--{}", arg.get_long().unwrap_or(key)));
                continue;
            }
            Value::Bool(false) | Value::Null => continue,
            other => vec![other],
        };
        for value in values {
            let text = word(value)
                .ok_or_else(|| format!("`{key}` takes a string or a number, found {value}"))?;
            match arg.get_long() {
                Some(long) => line.extend([format!("--{long}"), text]),
                None => positionals.push((arg.get_index().unwrap_or(0), text)),
            }
        }
    }
    positionals.sort_by_key(|(index, _)| *index);
    line.extend(positionals.into_iter().map(|(_, text)| text));
    let folder = if name == "validate" {
        None
    } else {
        let root = root.ok_or(
            "this server writes no files: it was started without --out; start it as \
             `fulcrum mcp --out DIR` to let it write results inside DIR",
        )?;
        let out = arguments
            .get("out")
            .and_then(Value::as_str)
            .ok_or("`out` is required: the results folder, relative to the server's --out")?;
        let folder = results_folder(root, out)?;
        line.extend(["--out".to_string(), folder.display().to_string()]);
        Some(folder)
    };
    Ok((line, folder))
}

/// A CSV file as an array of objects, one per row, keyed by the header.
fn csv_rows(path: &Path) -> anyhow::Result<Value> {
    let mut reader = csv::Reader::from_path(path)?;
    let header = reader.headers()?.clone();
    let rows = reader
        .records()
        .map(|record| {
            let record = record?;
            let row: serde_json::Map<String, Value> = header
                .iter()
                .zip(record.iter())
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect();
            anyhow::Ok(Value::Object(row))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Value::Array(rows))
}

impl Server {
    /// Runs tool `name` as the CLI command and shapes its outcome as a tool result.
    fn call(&self, name: &str, arguments: &JsonObject) -> CallToolResult {
        let Some(&(_, output)) = TOOLS.iter().find(|(tool, _)| *tool == name) else {
            return refused(format!("no tool `{name}`"));
        };
        let (mut line, folder) =
            match command_line(name, arguments, self.out.as_deref().map(PathBuf::as_path)) {
                Ok(built) => built,
                Err(message) => return refused(message),
            };
        if matches!(output, Output::Json) {
            line.extend(["--json".to_string(), "--quiet".to_string()]);
        }
        let ran = Command::new(self.binary.as_path())
            .args(&line)
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output();
        let ran = match ran {
            Ok(ran) => ran,
            Err(error) => {
                return CallToolResult::structured_error(json!({
                    "exit_status": 1, "error": "runtime failure",
                    "message": format!("cannot run fulcrum: {error}"),
                }));
            }
        };
        let stdout = String::from_utf8_lossy(&ran.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&ran.stderr).into_owned();
        let status = ran.status.code().unwrap_or(1);
        if status != 0 {
            let error = if status == 2 {
                "bad input"
            } else {
                "runtime failure"
            };
            return CallToolResult::structured_error(json!({
                "exit_status": status, "error": error, "message": stderr,
            }));
        }
        let mut result = match output {
            Output::Json => match serde_json::from_str::<Value>(&stdout) {
                Ok(document) => document,
                Err(error) => {
                    return CallToolResult::structured_error(json!({
                        "exit_status": 1, "error": "runtime failure",
                        "message": format!("the command's JSON did not parse: {error}"),
                    }));
                }
            },
            Output::Text { files } => {
                let mut result = json!({ "printed": stdout });
                for file in files {
                    let path = folder.as_deref().map(|f| f.join(file));
                    let read = path.as_deref().map(|path| {
                        if file.ends_with(".csv") {
                            csv_rows(path)
                        } else {
                            std::fs::read_to_string(path)
                                .map_err(anyhow::Error::from)
                                .and_then(|text| Ok(serde_json::from_str(&text)?))
                        }
                    });
                    if let Some(Ok(value)) = read {
                        result[*file] = value;
                    }
                }
                result
            }
        };
        if !stderr.trim().is_empty() {
            result["warnings"] = json!(stderr.lines().collect::<Vec<_>>());
        }
        if let Some(folder) = folder {
            result["results_folder"] = json!(folder.display().to_string());
        }
        CallToolResult::structured(result)
    }
}

impl rmcp::ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let writes = match &self.out {
            Some(out) => format!("Results are written inside {}.", out.display()),
            None => "Started without --out: only validate works, and nothing is written.".into(),
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("fulcrum", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "fulcrum simulates how one engineering team's capacity split between product \
                 and technology work plays out. Validate a scenario file first; `run` compares \
                 its strategies, `plan` prices one more engineer and the guardrails, `forecast` \
                 answers when a backlog will be done, `backtest` checks forecasts on past data, \
                 `import` reads a tracker export. {writes}"
            ))
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, rmcp::ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, rmcp::ErrorData> {
        let server = self.clone();
        let name = request.name.to_string();
        let arguments = request.arguments.unwrap_or_default();
        // The child runs for as long as the simulation takes: off the protocol's thread.
        let result = tokio::task::spawn_blocking(move || server.call(&name, &arguments))
            .await
            .map_err(|e| rmcp::ErrorData::internal_error(e.to_string(), None))?;
        Ok(result.into())
    }
}
