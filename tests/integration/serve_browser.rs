//! `fulcrum serve` in a real browser: headless Chromium, driven over the Chrome DevTools
//! Protocol, moves a slider and reads the updated table, types a bad value and reads the
//! CLI's message next to it, and checks the page makes no request to another origin, logs no
//! console error and fits a phone's width.
//!
//! Skipped, loudly, when no Chromium is installed (`.ci/run` installs Debian's `chromium`
//! and sets `FULCRUM_REQUIRE_CHROMIUM=1`, which turns the skip into a failure). With
//! `FULCRUM_SCREENSHOTS=DIR` it also saves the page at desktop and phone width.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A Chromium binary: `FULCRUM_CHROMIUM`, else the first of the usual names on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FULCRUM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A child process killed when dropped, with its stderr collected for failure messages.
struct Process {
    child: Child,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Process {
    /// Starts `command` and returns the process and the first line of `stream` (stdout or
    /// stderr) that contains `marker`.
    fn start(mut command: Command, marker: &str, from_stdout: bool) -> (Process, String) {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the process starts");
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let streams: [(Box<dyn Read + Send>, bool); 2] = [
            (Box::new(child.stdout.take().unwrap()), true),
            (Box::new(child.stderr.take().unwrap()), false),
        ];
        for (stream, is_stdout) in streams {
            let log = log.clone();
            let tx = tx.clone();
            let marker = marker.to_string();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if is_stdout == from_stdout && line.contains(&marker) {
                        let _ = tx.send(line.clone());
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let process = Process { child, log };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `{marker}` within 60 s:\n{}", process.log()));
        (process, line)
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One page of a browser, over the DevTools protocol.
struct Page {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next: u64,
    /// Every event received so far.
    events: Vec<Value>,
}

impl Page {
    /// Opens a blank page in the browser listening at `endpoint` (`ws://...`).
    fn open(endpoint: &str) -> Page {
        let (ws, _) = tungstenite::connect(endpoint).expect("DevTools accepts the connection");
        if let MaybeTlsStream::Plain(stream) = ws.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
        }
        let mut page = Page {
            ws,
            session: String::new(),
            next: 0,
            events: Vec::new(),
        };
        let target = page.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = page.call(
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        );
        page.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Runtime", "Log", "Network", "Page"] {
            page.call(&format!("{domain}.enable"), json!({}));
        }
        page
    }

    /// Sends a command to the page (to the browser before it is attached) and waits for its
    /// result, keeping the events that arrive meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .expect("DevTools takes the command");
        loop {
            let text = match self.ws.read().expect("DevTools answers") {
                Message::Text(text) => text,
                _ => continue,
            };
            let reply: Value = serde_json::from_str(text.as_str()).unwrap();
            if reply["id"] == json!(id) {
                assert!(reply.get("error").is_none(), "{method}: {reply}");
                return reply["result"].clone();
            }
            self.events.push(reply);
        }
    }

    /// Evaluates JavaScript in the page (awaiting a promise) and returns its value.
    fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(
            result.get("exceptionDetails").is_none(),
            "{expression}: {result}"
        );
        result["result"]["value"].clone()
    }

    /// Waits until `condition` (JavaScript) is true; while the page is still loading it may
    /// throw.
    fn wait(&mut self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(90);
        let guarded = format!(
            "(() => {{ try {{ return !!({condition}); }} catch (e) {{ return false; }} }})()"
        );
        while self.eval(&guarded) != json!(true) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the page says: {}",
                self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A left click at (x, y) of the viewport, as a mouse makes it.
    fn click(&mut self, x: f64, y: f64) {
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    fn resize(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// The headline table, one row of cell texts per strategy.
    fn table(&mut self) -> Vec<Vec<String>> {
        let rows = self.eval(
            "[...document.querySelectorAll('#table tbody tr')]\
             .map(tr => [...tr.cells].map(td => td.textContent.trim()))",
        );
        serde_json::from_value(rows).unwrap()
    }

    /// Saves the whole page as a PNG.
    fn screenshot(&mut self, file: &Path) {
        let height = self
            .eval("document.documentElement.scrollHeight")
            .as_f64()
            .unwrap();
        let width = self
            .eval("document.documentElement.clientWidth")
            .as_f64()
            .unwrap();
        let shot = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 } }),
        );
        let png = base64(shot["data"].as_str().unwrap());
        std::fs::write(file, png).unwrap();
    }
}

/// Decodes standard base64 (the screenshot's encoding).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &d)| n | u32::from(d) << (18 - 6 * i));
        out.extend(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// Starts `fulcrum serve` on the balanced-okrs example (with `flags`) and headless Chromium;
/// returns both processes, a page and the server's address.
fn start(chromium: &Path, flags: &[&str]) -> (Process, Process, Page, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut server = Command::new(env!("CARGO_BIN_EXE_fulcrum"));
    server
        .args(["serve", "scenarios/balanced-okrs.toml", "--port", "0"])
        .args(flags)
        .current_dir(root);
    let (server, line) = Process::start(server, "http://", true);
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();

    let profile = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "chromium-profile-{}-{}",
        std::process::id(),
        flags.len()
    ));
    let _ = std::fs::remove_dir_all(&profile);
    let mut browser = Command::new(chromium);
    browser.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--remote-debugging-port=0",
        "about:blank",
    ]);
    browser.arg(format!("--user-data-dir={}", profile.display()));
    let (browser, line) = Process::start(browser, "DevTools listening on ", false);
    let endpoint = line
        .split("listening on ")
        .nth(1)
        .unwrap()
        .trim()
        .to_string();
    let page = Page::open(&endpoint);
    (server, browser, page, url)
}

/// True once the page shows a refined answer.
const REFINED: &str = "document.getElementById('stage').textContent.startsWith('refined')";

#[test]
fn moving_a_slider_updates_the_table_without_external_requests_or_console_errors() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("FULCRUM_REQUIRE_CHROMIUM").is_none(),
            "FULCRUM_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!(
            "\n\n*** SKIPPED the browser test of `fulcrum serve`: no Chromium found. ***\n\
             *** Install it (Debian: apt-get install -y chromium) or set FULCRUM_CHROMIUM. ***\n"
        );
        return;
    };
    let (server, browser, mut page, url) =
        start(&chromium, &["--trials", "1000", "--preview-trials", "300"]);
    let origin = url.trim_end_matches('/').to_string();
    page.resize(1400, 1000, false);
    page.call("Page.navigate", json!({ "url": url }));
    page.wait(
        &format!("{REFINED} && document.querySelectorAll('#table tbody tr').length === 4"),
        "the first refined answer",
    );
    let before = page.table();
    assert_eq!(before[0][0], "80/20", "{before:?}");
    assert!(
        before.iter().all(|row| row[2] == "0"),
        "nothing changed yet: {before:?}"
    );

    // Click 70% of the way along the 80/20 tech share slider.
    let slider =
        "document.querySelector('input[type=range][data-path=\"strategies.80/20.tech_share\"]')";
    page.eval(&format!("{slider}.scrollIntoView({{block: 'center'}})"));
    let rect = page.eval(&format!(
        "(r => [r.x, r.y, r.width, r.height])({slider}.getBoundingClientRect())"
    ));
    let rect: Vec<f64> = serde_json::from_value(rect).unwrap();
    page.click(rect[0] + 0.7 * rect[2], rect[1] + rect[3] / 2.0);
    let moved: f64 = page
        .eval(&format!("Number({slider}.value)"))
        .as_f64()
        .unwrap();
    assert!((0.6..=0.8).contains(&moved), "the slider is at {moved}");
    let first_cell = "document.querySelector('#table tbody tr').cells[1].textContent.trim()";
    page.wait(
        &format!("{REFINED} && {first_cell} !== {}", json!(before[0][1])),
        "the refined answer to the moved slider",
    );
    let after = page.table();
    let search = page.eval("location.search").as_str().unwrap().to_string();
    assert!(
        search.contains(&format!("tech_share%3D{moved}")),
        "the address keeps the state: {search}"
    );
    // The moved strategy's row changed; the others see the same worlds and did not (but
    // for "vs first": the first strategy is the one that moved).
    assert_ne!(after[0][2], "0", "{after:?}");
    let without_vs_first = |row: &Vec<String>| {
        let mut row = row.clone();
        row.remove(3);
        row
    };
    for (b, a) in before.iter().zip(&after).skip(1) {
        assert_eq!(
            without_vs_first(b),
            without_vs_first(a),
            "an untouched strategy's row changed"
        );
        assert_ne!(b[3], a[3], "vs first follows the first strategy");
    }
    // The table shows what the server answers for these settings.
    let served = page.eval(&format!(
        "fetch('api/answer', {{method: 'POST', headers: {{'content-type': 'application/json'}}, \
         body: JSON.stringify({{session: 'check', sets: ['strategies.80/20.tech_share={moved}'], \
         stage: 'full'}})}}).then(r => r.json()).then(a => a.strategies[0].blended.mean.toFixed(3))"
    ));
    assert!(
        after[0][1].starts_with(served.as_str().unwrap()),
        "{after:?} against {served}"
    );
    let command = page.eval("document.getElementById('command').textContent");
    assert_eq!(
        command,
        json!(format!(
            "fulcrum run scenarios/balanced-okrs.toml --trials 1000 --set \
             strategies.80/20.tech_share={moved}"
        ))
    );

    // A value out of range: the CLI's message appears next to the control.
    let number = "document.querySelector('input.value[data-path=\"strategies.80/20.tech_share\"]')";
    page.eval(&format!("{number}.focus(); {number}.select()"));
    page.call("Input.insertText", json!({ "text": "1.5" }));
    let error = format!("{number}.closest('.control').querySelector('.error')");
    page.wait(&format!("{error} !== null"), "the refusal of 1.5");
    let message = page.eval(&format!("{error}.textContent"));
    let message = message.as_str().unwrap();
    assert!(
        message.contains("--set strategies.80/20.tech_share=1.5")
            && message.contains("must be between 0 and 1"),
        "{message}"
    );
    assert!(
        page.eval("document.getElementById('results').classList.contains('stale')") == json!(true)
    );
    page.eval(&format!(
        "{number}.closest('.control').querySelector('button.reset').click()"
    ));
    page.wait(&format!("{error} === null && {REFINED}"), "the reset");
    assert_eq!(page.table(), before, "back to the file");

    // Any field through the free-form box: a malformed distribution is refused under it.
    page.eval("document.getElementById('free-new').focus()");
    page.call(
        "Input.insertText",
        json!({ "text": "debt.accrual=0.4 to 0.2" }),
    );
    for kind in ["keyDown", "keyUp"] {
        page.call(
            "Input.dispatchKeyEvent",
            json!({ "type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13 }),
        );
    }
    let error = "document.querySelector('#free .error')";
    page.wait(
        &format!("{error} !== null"),
        "the refusal of the distribution",
    );
    let message = page.eval(&format!("{error}.textContent"));
    assert!(
        message
            .as_str()
            .unwrap()
            .contains("the low end 0.4 must be below the high end 0.2"),
        "{message}"
    );
    page.eval("document.querySelector('#free button').click()");
    page.wait(&format!("{error} === null && {REFINED}"), "the removal");
    assert_eq!(page.table(), before, "back to the file again");

    // At a phone's width the page fits: nothing wider than the screen but the tables, which
    // scroll inside their own box.
    page.resize(400, 860, true);
    page.call("Page.reload", json!({}));
    page.wait(
        &format!("{REFINED} && document.querySelectorAll('#table tbody tr').length === 4"),
        "the answer at phone width",
    );
    let width = page
        .eval("document.documentElement.scrollWidth")
        .as_f64()
        .unwrap();
    assert!(
        width <= 400.0,
        "the page is {width} px wide on a 400 px screen"
    );
    let charts = page.eval(
        "[...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().width)",
    );
    for w in charts.as_array().unwrap() {
        assert!(w.as_f64().unwrap() <= 400.0, "a chart is {w} px wide");
    }
    // Every request went to the server itself, and nothing was logged as an error.
    for event in &page.events {
        let params = &event["params"];
        match event["method"].as_str().unwrap_or("") {
            "Network.requestWillBeSent" => {
                let request = params["request"]["url"].as_str().unwrap_or("");
                assert!(
                    request.starts_with(&origin)
                        || request.starts_with("data:")
                        || request == "about:blank",
                    "a request to another origin: {request}"
                );
            }
            "Runtime.exceptionThrown" => panic!("an exception in the page: {params}"),
            "Runtime.consoleAPICalled" => {
                assert!(
                    !["error", "assert", "warning"]
                        .contains(&params["type"].as_str().unwrap_or("")),
                    "the console: {params}"
                );
            }
            "Log.entryAdded" => {
                assert!(params["entry"]["level"] != "error", "logged: {params}");
            }
            _ => {}
        }
    }
    assert!(
        page.events
            .iter()
            .any(|e| e["method"] == "Network.requestWillBeSent"),
        "the request log is empty: the check above checked nothing"
    );
    drop(browser);
    drop(server);
}

/// The screenshots in `docs/src/images/` (not a check: run it by hand and look at them), with the
/// example's own trial count: `cargo test --release --test integration serve_browser:: -- --ignored`.
/// `FULCRUM_SCREENSHOTS=DIR` saves them elsewhere.
#[test]
#[ignore = "writes docs/src/images/serve-desktop.png and serve-phone.png"]
fn screenshots() {
    let chromium = chromium().expect("Chromium is installed");
    let dir = std::env::var_os("FULCRUM_SCREENSHOTS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/images"),
        PathBuf::from,
    );
    let (_server, _browser, mut page, url) = start(&chromium, &[]);
    let state = "?set=okrs.blend%3D0.45&set=teams.checkout.engineers%3D8&strategy=debt-ceiling";
    for (width, height, mobile, file) in [
        (1400, 1000, false, "serve-desktop.png"),
        (400, 860, true, "serve-phone.png"),
    ] {
        page.resize(width, height, mobile);
        page.call("Page.navigate", json!({ "url": format!("{url}{state}") }));
        page.wait(
            &format!("{REFINED} && location.search.includes('blend')"),
            "the answer to the screenshot's settings",
        );
        page.screenshot(&dir.join(file));
    }
}
