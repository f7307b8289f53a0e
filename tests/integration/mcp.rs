//! `fulcrum mcp` driven as an MCP client drives it: newline-delimited JSON-RPC over the
//! server's stdin and stdout (initialize, list the tools, call them).

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{example, fulcrum, scratch, text};

/// A running server and the client's ends of its pipes.
struct Session {
    child: Arc<Mutex<Child>>,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: u64,
}

impl Session {
    /// Starts `fulcrum mcp` with `args` in `dir`, and initializes the session as a client does.
    fn start(dir: &Path, args: &[&str]) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
            .arg("mcp")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let child = Arc::new(Mutex::new(child));
        // A server that stops answering must not hang the test suite.
        let watchdog = Arc::downgrade(&child);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(180));
            if let Some(child) = watchdog.upgrade() {
                let _ = child.lock().unwrap().kill();
            }
        });
        let mut session = Session {
            child,
            input,
            output,
            next_id: 1,
        };
        let init = session.request(
            "initialize",
            json!({
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": { "name": "fulcrum-test", "version": "1" },
            }),
        );
        assert_eq!(init["serverInfo"]["name"], "fulcrum", "{init}");
        assert!(init["capabilities"]["tools"].is_object(), "{init}");
        session.send(&json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }));
        session
    }

    fn send(&mut self, message: &Value) {
        writeln!(self.input, "{message}").unwrap();
        self.input.flush().unwrap();
    }

    /// Sends a request and returns its result, skipping any notification in between.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let mut line = String::new();
            let read = self.output.read_line(&mut line).unwrap();
            assert!(
                read > 0,
                "the server closed its output before answering {method}"
            );
            let message: Value = serde_json::from_str(&line).expect("a JSON-RPC message");
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Calls tool `name`; its result.
    fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.lock().unwrap().kill();
    }
}

#[test]
fn a_client_lists_the_tools_runs_an_example_and_gets_located_errors() {
    let dir = scratch("session");
    std::fs::create_dir_all(dir.join("results")).unwrap();
    let mut session = Session::start(&dir, &["--out", "results"]);

    let listed = session.request("tools/list", json!({}));
    let names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["validate", "run", "plan", "forecast", "backtest", "import"]
    );
    let run_schema = &listed["tools"][1]["inputSchema"];
    for argument in ["scenario", "trials", "seed", "sets", "out"] {
        assert!(
            run_schema["properties"].get(argument).is_some(),
            "run takes {argument}"
        );
    }
    for withheld in ["yes", "force", "shard", "json"] {
        assert!(
            run_schema["properties"].get(withheld).is_none(),
            "{withheld}"
        );
    }

    // A run gets the JSON document `fulcrum run --json` prints, its results inside --out.
    let scenario = example("balanced-okrs.toml");
    let ran = session.call(
        "run",
        json!({ "scenario": scenario, "trials": 300, "seed": 5, "out": "balanced" }),
    );
    assert_eq!(ran["isError"], json!(false), "{ran}");
    let document = &ran["structuredContent"];
    assert_eq!(document["schema"], "fulcrum.run/1");
    assert!(dir.join("results/balanced/summary.csv").exists());
    let cli = fulcrum(
        &[
            "run", &scenario, "--trials", "300", "--seed", "5", "--json", "--out", "cli",
        ],
        &dir,
    );
    assert!(cli.status.success(), "{}", text(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    assert_eq!(document["strategies"], cli["strategies"]);
    assert_eq!(document["summary"], cli["summary"]);

    // A bad scenario: the error is the CLI's, located at line and column.
    std::fs::write(
        dir.join("broken.toml"),
        "[scenario]\nname = \"broken\"\nperiods = 26\n\n[[teams]]\nname = \"checkout\"\nenginers = 6\n",
    )
    .unwrap();
    let invalid = session.call("validate", json!({ "files": ["broken.toml"] }));
    assert_eq!(invalid["isError"], json!(true), "{invalid}");
    let error = &invalid["structuredContent"];
    assert_eq!(error["exit_status"], 2);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("broken.toml:7:1: unknown field `enginers`"),
        "{message}"
    );
    assert!(message.contains("did you mean `engineers`?"), "{message}");

    // Outside the folder it was given, and the CLI's consent flags, are refused.
    let escape = session.call(
        "run",
        json!({ "scenario": scenario, "trials": 300, "out": "../escaped" }),
    );
    assert_eq!(escape["isError"], json!(true), "{escape}");
    assert!(!dir.join("escaped").exists());
    let consent = session.call(
        "run",
        json!({ "scenario": scenario, "out": "big", "yes": true }),
    );
    assert_eq!(consent["isError"], json!(true), "{consent}");
    assert!(
        consent["structuredContent"]["message"]
            .as_str()
            .unwrap()
            .contains("takes no argument `yes`")
    );
}

#[test]
fn without_an_output_folder_only_validate_works_and_nothing_is_written() {
    let dir = scratch("no-out");
    let mut session = Session::start(&dir, &[]);
    let valid = session.call(
        "validate",
        json!({ "files": [example("legacy-platform.toml")] }),
    );
    assert_eq!(valid["isError"], json!(false), "{valid}");
    assert!(
        valid["structuredContent"]["printed"]
            .as_str()
            .unwrap()
            .contains("legacy-platform")
    );
    let ran = session.call(
        "forecast",
        json!({ "history": "3,5,2,6,4,4,7,1,5,3", "backlog": 20, "out": "f" }),
    );
    assert_eq!(ran["isError"], json!(true), "{ran}");
    assert!(
        ran["structuredContent"]["message"]
            .as_str()
            .unwrap()
            .contains("writes no files")
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "something was written"
    );
}
