//! `fulcrum serve` as a process: the work of a client that hung up stops, and idle
//! connections time out within a cap on how many are open.

use std::time::{Duration, Instant};

use fulcrum::serve;

use super::EXAMPLE;

/// `fulcrum serve` on `EXAMPLE` with `args`, and the address it listens on.
fn serve_process(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let mut server = Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args(["serve", EXAMPLE, "--port", "0"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (server, address)
}

/// `GET path` from `address`, the connection closed after it: the reply's text.
fn http_get(address: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

/// A request whose client hangs up stops computing: its progress no longer moves.
#[test]
fn the_work_of_a_client_that_left_stops() {
    use std::io::Write;
    let (mut server, address) = serve_process(&["--trials", "2000000", "--preview-trials", "200"]);
    let body = r#"{"session":"gone","sets":["okrs.blend=0.4"],"stage":"full"}"#;
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    let head = format!(
        "POST /api/answer HTTP/1.1\r\nHost: {address}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all((head + body).as_bytes()).unwrap();
    let done = || {
        let reply = http_get(&address, "/api/progress?session=gone");
        let json = reply.split("\r\n\r\n").nth(1).unwrap_or("{}").to_string();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        value["done"].as_u64().unwrap_or(0)
    };
    let started = Instant::now();
    while done() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stream);
    std::thread::sleep(Duration::from_millis(1500));
    let after = done();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(done(), after, "no trials after the client left");
    assert!(after < 2_000_000);
    server.kill().ok();
    server.wait().unwrap();
}

/// Idle connections are closed after the header timeout, and beyond the connection cap a new
/// one is closed at once, so idle sockets cannot use up the file descriptors; afterwards the
/// server answers as before.
#[test]
fn idle_connections_time_out_and_connections_are_capped() {
    use std::io::Read;
    use std::net::TcpStream;
    let (mut server, address) = serve_process(&["--trials", "200", "--preview-trials", "100"]);
    let closed_within = |stream: &mut TcpStream, limit: Duration| {
        stream.set_read_timeout(Some(limit)).unwrap();
        let started = Instant::now();
        let closed =
            matches!(stream.read(&mut [0; 16]), Ok(0) | Err(_)) && started.elapsed() < limit;
        (closed, started.elapsed())
    };
    let started = Instant::now();
    let mut idle: Vec<TcpStream> = (0..serve::MAX_CONNECTIONS)
        .map(|_| TcpStream::connect(&address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut beyond = TcpStream::connect(&address).unwrap();
    let (closed, after) = closed_within(&mut beyond, Duration::from_secs(3));
    assert!(
        closed,
        "a connection beyond the cap is closed at once ({after:?})"
    );
    let limit = serve::HEADER_TIMEOUT + Duration::from_secs(10);
    let (closed, _) = closed_within(&mut idle[0], limit);
    let waited = started.elapsed();
    assert!(closed, "an idle connection is closed");
    assert!(
        waited >= serve::HEADER_TIMEOUT - Duration::from_secs(1),
        "{waited:?}"
    );
    drop(idle);
    std::thread::sleep(Duration::from_millis(300));
    let reply = http_get(&address, "/api/progress?session=x");
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    server.kill().ok();
    server.wait().unwrap();
}
