//! Helpers shared by the tests that run the binary as a user would; [`trial`] holds those of
//! the tests that run the engine directly.

pub mod trial;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A throughput history of 26 weekly counts (the README's worked example), as `--history`
/// takes it.
pub const W1_TEXT: &str = "3,5,2,6,4,4,7,1,5,3,6,4,2,5,8,3,4,6,5,2,4,7,3,5,4,6";

/// Runs the `fulcrum` binary with `args` in `dir`, without colour.
pub fn fulcrum(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fulcrum"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// Runs `fulcrum COMMAND ARGS` in `dir` and returns its stdout; panics with its stderr when it
/// fails, or when it panicked however it exited.
pub fn succeeds(command: &str, args: &[&str], dir: &Path) -> String {
    let mut all = vec![command];
    all.extend_from_slice(args);
    let out = fulcrum(&all, dir);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"));
    text(&out.stdout)
}

/// Runs `fulcrum COMMAND ARGS --threads T --out T` in `dir` for T = 1 and 2, each of which
/// must succeed: their stdouts, in that order (their results in `dir/1` and `dir/2`).
pub fn on_one_thread_and_two(command: &str, args: &[&str], dir: &Path) -> Vec<String> {
    ["1", "2"]
        .iter()
        .map(|threads| {
            let mut all = args.to_vec();
            all.extend(["--threads", threads, "--out", threads]);
            succeeds(command, &all, dir)
        })
        .collect()
}

/// Asserts that each of `files` holds the same bytes in `dir/1` and `dir/2`.
pub fn same_on_one_thread_and_two(dir: &Path, files: &[&str]) {
    for file in files {
        let bytes = |threads: &str| std::fs::read(dir.join(threads).join(file)).unwrap();
        assert!(
            bytes("1") == bytes("2"),
            "{file} differs on one thread and two"
        );
    }
}

/// A file the command wrote, as text; panics naming the file when it cannot be read.
pub fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fresh empty folder under the target dir, `<calling module>/<name>`: the modules' tests run
/// side by side in one process, so two modules may use the same name without sharing a folder.
#[track_caller]
pub fn scratch(name: &str) -> PathBuf {
    let caller = Path::new(std::panic::Location::caller().file());
    let module = caller.file_stem().expect("a source file");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(module)
        .join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The path of example scenario `name` (e.g. `balanced-okrs.toml`), as an argument.
pub fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `fulcrum <command> <case's args> <after...>` in `dir` for every case, and checks that
/// each is refused as bad input: exit status 2, the case's message on stderr, no panic.
pub fn refuses_each(command: &str, cases: &[(&[&str], &str)], after: &[&str], dir: &Path) {
    for (args, message) in cases {
        let mut all = vec![command];
        all.extend_from_slice(args);
        all.extend_from_slice(after);
        let out = fulcrum(&all, dir);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{args:?}: expected `{message}` in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}");
    }
}
