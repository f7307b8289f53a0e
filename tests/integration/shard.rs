//! `--shard k/N` and `fulcrum merge`: for run, sweep and forecast, N shards merged in any
//! order give byte for byte the files of the one run (the description JSON aside from its
//! timings and the list of shards), and merge refuses every set of shards that is not one run.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{W1_TEXT, example, fulcrum, scratch, text};

/// The command lines sharded in these tests (without `--out` and `--shard`).
fn command(which: &str) -> Vec<String> {
    let list: Vec<String> = match which {
        // 4100 trials: the kept samples of the sensitivity analysis (the first 4000) end inside
        // a shard.
        "run" => vec![
            "run".into(),
            example("startup-hiring.toml"),
            "--trials".into(),
            "4100".into(),
            "--seed".into(),
            "7".into(),
        ],
        "sweep" => vec![
            "sweep".into(),
            example("startup-hiring.toml"),
            "--vary".into(),
            "okrs.blend=0:1:3".into(),
            "--vary".into(),
            "teams.product-eng.engineers=4:5:2".into(),
            "--trials".into(),
            "200".into(),
        ],
        "forecast" => vec![
            "forecast".into(),
            "--history".into(),
            W1_TEXT.into(),
            "--backlog".into(),
            "200".into(),
            "--horizon".into(),
            "30".into(),
            "--trials".into(),
            "30000".into(),
        ],
        _ => unreachable!(),
    };
    list
}

/// Runs `args` in `dir` with `extra` appended; panics unless it exits with `code`, returns
/// stdout and stderr.
fn expect(dir: &Path, args: &[String], extra: &[&str], code: i32) -> (String, String) {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(extra);
    let output = fulcrum(&all, dir);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(code),
        "fulcrum {}\nstdout: {stdout}\nstderr: {stderr}",
        all.join(" ")
    );
    (stdout, stderr)
}

/// Every file under `root`, relative path → bytes.
fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(name, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// A results description without what may differ between a run and its merged shards.
fn without_timings(bytes: &[u8]) -> serde_json::Value {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    let object = value.as_object_mut().unwrap();
    for key in [
        "environment",
        "seconds",
        "seconds_total",
        "threads",
        "shards",
    ] {
        object.remove(key);
    }
    value
}

/// Asserts that `merged` holds exactly the files of `single`, byte for byte, except the
/// description's timings and shard list (and so the marker's hash of it).
fn assert_same_results(single: &Path, merged: &Path) {
    let (a, b) = (files(single), files(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    assert!(a.len() >= 4, "{a:?}", a = a.keys());
    for (name, bytes) in &a {
        let other = &b[name];
        if name.ends_with(".json") && !name.contains('/') {
            assert_eq!(without_timings(bytes), without_timings(other), "{name}");
            let merged: serde_json::Value = serde_json::from_slice(other).unwrap();
            assert!(merged.get("shards").is_some(), "{name} lists the shards");
        } else if name == ".fulcrum-result" {
            let files = |bytes: &[u8]| {
                let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                let mut files = v["files"].as_object().unwrap().clone();
                files.retain(|file, _| !file.ends_with(".json"));
                files
            };
            assert_eq!(files(bytes), files(other), "{name}");
        } else {
            assert!(
                bytes == other,
                "{name} differs between the run and the merged shards"
            );
        }
    }
}

/// A fixed shuffle of 0..n (never the identity for n > 2).
fn shuffled(n: usize, salt: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = 0x9e37_79b9_u64.wrapping_add(salt as u64);
    for i in (1..n).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        order.swap(i, (state >> 33) as usize % (i + 1));
    }
    if n > 2 && order.iter().enumerate().all(|(i, &k)| i == k) {
        order.reverse();
    }
    order
}

/// Runs `which` once and as N shards for each N, merges the shards in a shuffled order and
/// compares.
fn shards_merge_to_the_single_run(which: &str) {
    let dir = scratch(&format!("shard-{which}"));
    let args = command(which);
    expect(&dir, &args, &["--out", "single"], 0);
    for n in [1usize, 2, 3, 7] {
        let folders: Vec<String> = (0..n).map(|k| format!("{n}/shard-{k}")).collect();
        for (k, folder) in folders.iter().enumerate() {
            let shard = format!("{k}/{n}");
            let (stdout, _) = expect(&dir, &args, &["--shard", &shard, "--out", folder], 0);
            assert!(stdout.contains(&format!("shard {shard}")), "{stdout}");
        }
        let mut merge = vec!["merge".to_string()];
        merge.extend(shuffled(n, n).into_iter().map(|k| folders[k].clone()));
        let out = format!("{n}/merged");
        expect(&dir, &merge, &["--out", &out], 0);
        assert_same_results(&dir.join("single"), &dir.join(&out));
    }
}

#[test]
fn forecast_shards_merge_to_the_single_run() {
    shards_merge_to_the_single_run("forecast");
}

#[test]
fn run_shards_merge_to_the_single_run() {
    shards_merge_to_the_single_run("run");
}

#[test]
fn sweep_shards_merge_to_the_single_run() {
    shards_merge_to_the_single_run("sweep");
}

/// Writes the shards of `args` (N = `n`) into `prefix-k` and returns the folders.
fn shards(dir: &Path, args: &[String], n: usize, prefix: &str) -> Vec<String> {
    (0..n)
        .map(|k| {
            let folder = format!("{prefix}-{k}");
            let shard = format!("{k}/{n}");
            expect(dir, args, &["--shard", &shard, "--out", &folder], 0);
            folder
        })
        .collect()
}

/// Asserts `merge FOLDERS --out refused` exits 2 with a message containing `says`.
fn refused(dir: &Path, folders: &[&str], says: &str) {
    let mut merge = vec!["merge".to_string()];
    merge.extend(folders.iter().map(|f| f.to_string()));
    let (_, stderr) = expect(dir, &merge, &["--out", "refused"], 2);
    assert!(stderr.contains(says), "expected `{says}` in: {stderr}");
    assert!(!dir.join("refused").exists(), "nothing written");
}

fn small_forecast(backlog: &str, seed: &str) -> Vec<String> {
    [
        "forecast",
        "--history",
        W1_TEXT,
        "--backlog",
        backlog,
        "--trials",
        "2000",
        "--seed",
        seed,
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn merge_refuses_shards_that_are_not_one_run() {
    let dir = scratch("shard-refusals");
    let a = shards(&dir, &small_forecast("50", "1"), 3, "a");
    let other_question = shards(&dir, &small_forecast("60", "1"), 3, "q");
    let other_seed = shards(&dir, &small_forecast("50", "2"), 3, "s");
    let two = shards(&dir, &small_forecast("50", "1"), 2, "two");
    let run = [&command("run")[..2], &["--trials".into(), "30".into()]].concat();
    let run_shard = shards(&dir, &run, 3, "r");
    // An option that changes the results but not the scenario.
    let hire = [&run[..], &["--hire-period".into(), "3".into()]].concat();
    expect(&dir, &hire, &["--shard", "2/3", "--out", "o-2"], 0);

    refused(
        &dir,
        &[&a[0], &a[1], &other_question[2]],
        "different scenarios",
    );
    refused(&dir, &[&a[0], &a[1], &other_seed[2]], "different seeds");
    refused(
        &dir,
        &[&run_shard[0], &run_shard[1], "o-2"],
        "different options",
    );
    refused(&dir, &[&a[0], &a[1], &run_shard[2]], "different commands");
    refused(&dir, &[&a[0], &two[1]], "different numbers of shards");
    refused(&dir, &[&a[0], &a[2]], "missing");
    refused(&dir, &[&a[0], &a[1]], "missing");
    refused(&dir, &[&a[0], &a[1], &a[2], &a[1]], "give each shard once");
    fs::create_dir_all(dir.join("not-a-shard")).unwrap();
    refused(
        &dir,
        &[&a[0], &a[1], "not-a-shard"],
        "is not a fulcrum shard",
    );
    let merge: Vec<String> = ["merge", &a[0], &a[1], &a[2]].map(String::from).to_vec();
    let (_, stderr) = expect(&dir, &merge, &["--out", &a[1]], 2);
    assert!(
        stderr.contains("would replace the shard folder"),
        "{stderr}"
    );

    // A shard edited to claim trials another shard ran: overlapping ranges (its marker
    // written again, as a forger would).
    let copy = |from: &str, to: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        copy_folder(&dir.join(from), &dir.join(to));
        edit_json(&dir.join(to).join("shard.json"), edit);
        remark(&dir.join(to));
    };
    copy(&a[1], "overlap", &|info| info["start"] = 100.into());
    refused(&dir, &[&a[0], "overlap", &a[2]], "overlaps");
    copy(&a[2], "old", &|info| {
        info["fulcrum_version"] = "0.0.1".into()
    });
    refused(&dir, &[&a[0], &a[1], "old"], "fulcrum versions");
    for (k, folder) in a.iter().enumerate() {
        copy(folder, &format!("older-{k}"), &|info| {
            info["fulcrum_version"] = "0.0.1".into()
        });
    }
    refused(
        &dir,
        &["older-0", "older-1", "older-2"],
        "were run by fulcrum 0.0.1",
    );

    // The complete set merges.
    let merge: Vec<String> = ["merge", &a[2], &a[0], &a[1]].map(String::from).to_vec();
    expect(&dir, &merge, &["--out", "merged"], 0);
    assert!(
        dir.join(&a[1]).join("shard.json").exists(),
        "the shards are kept"
    );
}

/// Merge reads each shard's own copy of its scenario: a file edited after the shards ran
/// changes nothing, and shards that ran different versions of it are refused.
#[test]
fn merge_reads_the_scenario_the_shards_kept() {
    let dir = scratch("shard-changed");
    fs::copy(example("startup-hiring.toml"), dir.join("s.toml")).unwrap();
    let args: Vec<String> = ["run", "s.toml", "--trials", "40"]
        .map(String::from)
        .to_vec();
    let folders = shards(&dir, &args, 2, "r");
    expect(&dir, &args, &["--out", "single"], 0);
    let text = fs::read_to_string(dir.join("s.toml")).unwrap();
    let edited = text.replace("engineers = 4\n", "engineers = 5\n");
    assert_ne!(edited, text, "the edit applies");
    fs::write(dir.join("s.toml"), &edited).unwrap();
    let merge: Vec<String> = ["merge", &folders[0], &folders[1]]
        .map(String::from)
        .to_vec();
    expect(&dir, &merge, &["--out", "merged"], 0);
    assert_same_results(&dir.join("single"), &dir.join("merged"));
    let kept = dir.join(&folders[0]).join("inputs/scenario/s.toml");
    assert_eq!(fs::read_to_string(kept).unwrap(), text);
    // Shard 1 again, of the edited file: not the same run.
    expect(&dir, &args, &["--shard", "1/2", "--out", "edited-1"], 0);
    refused(&dir, &[&folders[0], "edited-1"], "different scenarios");
}

/// A copy of folder `from` at `to`.
fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_folder(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Edits the JSON file at `path`.
fn edit_json(path: &Path, edit: &dyn Fn(&mut serde_json::Value)) {
    let mut value: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    edit(&mut value);
    fs::write(path, serde_json::to_vec(&value).unwrap()).unwrap();
}

/// Writes `folder`'s marker again for the files it holds now, as someone covering an edit
/// would: FNV-1a of each file.
fn remark(folder: &Path) {
    let fnv = |bytes: &[u8]| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    };
    let marker = folder.join(".fulcrum-result");
    let mut listed = serde_json::Map::new();
    for (name, bytes) in files(folder) {
        if name != ".fulcrum-result" {
            listed.insert(name, fnv(&bytes).into());
        }
    }
    edit_json(&marker, &|m| m["files"] = listed.clone().into());
}

/// Merge checks every file of every shard against its marker and the statistics against
/// `shard.json`, refusing (exit 2, naming the shard) a tampered number, statistics of another
/// seed or of more trials, a state cut short, and a forged command line or copy path; it
/// never reads a file the record names.
#[test]
fn merge_refuses_tampered_shards() {
    let dir = scratch("shard-tampered");
    let a = shards(&dir, &small_forecast("50", "1"), 2, "a");
    let other_seed = shards(&dir, &small_forecast("50", "2"), 2, "s");
    let mut more = small_forecast("50", "1");
    more[6] = "20000".into();
    let more = shards(&dir, &more, 2, "m");
    let tampered = |name: &str, edit: &dyn Fn(&Path)| {
        copy_folder(&dir.join(&a[1]), &dir.join(name));
        edit(&dir.join(name));
        name.to_string()
    };
    let state = |folder: &Path| folder.join("state.json");
    // One integer of the statistics raised by half, the marker left alone.
    let raise = |folder: &Path| {
        let text = fs::read_to_string(state(folder)).unwrap();
        let statistics = text.find("\"statistics\":").expect("the statistics");
        let at = statistics + text[statistics..].find("\"trials\":").expect("a count") + 9;
        let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
        let n: u64 = text[at..end].parse().unwrap();
        let raised = format!("{}{}{}", &text[..at], n * 3 / 2, &text[end..]);
        fs::write(state(folder), raised).unwrap();
    };
    let raised = tampered("raised", &raise);
    refused(
        &dir,
        &[&a[0], &raised],
        "differ from the hashes its marker recorded (state.json)",
    );
    // The same, the marker written again: the count no longer matches the shard's trials.
    let remarked = tampered("raised-remarked", &|f| {
        raise(f);
        remark(f);
    });
    refused(&dir, &[&a[0], &remarked], "its statistics hold 1500 trials");
    // Another seed's statistics, marker written again.
    let seed = tampered("seed", &|f| {
        fs::copy(state(&dir.join(&other_seed[1])), state(f)).unwrap();
        remark(f);
    });
    refused(
        &dir,
        &[&a[0], &seed],
        "holds the statistics of another shard",
    );
    // A 20,000-trial run's shard in a 2,000-trial one's folder, its description forged too.
    let bigger = tampered("bigger", &|f| {
        fs::copy(state(&dir.join(&more[1])), state(f)).unwrap();
        let info: serde_json::Value =
            serde_json::from_slice(&fs::read(f.join("shard.json")).unwrap()).unwrap();
        edit_json(&state(f), &|s| s["shard"] = info.clone());
        remark(f);
    });
    refused(&dir, &[&a[0], &bigger], "its statistics hold 10000 trials");
    // Cut short.
    let cut = tampered("cut", &|f| {
        let bytes = fs::read(state(f)).unwrap();
        fs::write(state(f), &bytes[..bytes.len() / 2]).unwrap();
        remark(f);
    });
    refused(&dir, &[&a[0], &cut], "cut short");
    // A file the marker does not list, and a link.
    let extra = tampered("extra", &|f| fs::write(f.join("notes.txt"), "x").unwrap());
    refused(&dir, &[&a[0], &extra], "does not list (notes.txt)");
    #[cfg(unix)]
    {
        let link = tampered("link", &|f| {
            std::os::unix::fs::symlink("/etc/passwd", f.join("inputs")).unwrap();
            remark(f);
        });
        refused(&dir, &[&a[0], &link], "symbolic links");
    }

    // A forged command line naming a file elsewhere, in every shard: never read.
    fs::write(dir.join("secret.csv"), "root:x:0:0:secret-line\n").unwrap();
    let forge = |from: &str, to: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        copy_folder(&dir.join(from), &dir.join(to));
        edit_json(&dir.join(to).join("shard.json"), edit);
        remark(&dir.join(to));
        to.to_string()
    };
    let secret = dir.join("secret.csv").display().to_string();
    let forged: Vec<String> = (0..2)
        .map(|k| {
            forge(&a[k], &format!("forged-{k}"), &|info| {
                info["arguments"] = serde_json::json!([
                    "forecast",
                    "--history-csv",
                    secret,
                    "--backlog",
                    "50",
                    "--trials",
                    "2000",
                    "--seed",
                    "1",
                    "--shard",
                    format!("{k}/2")
                ]);
            })
        })
        .collect();
    refused(&dir, &[&forged[0], &forged[1]], "keeps no copy");
    // ... and with a record of a copy outside the shard folder.
    let outside: Vec<String> = (0..2)
        .map(|k| {
            forge(&forged[k], &format!("outside-{k}"), &|info| {
                info["inputs"] = serde_json::json!([{
                    "argument": "history_csv", "given": secret,
                    "copy": format!("inputs/../../{}", "secret.csv"), "hash": "0"
                }]);
            })
        })
        .collect();
    refused(
        &dir,
        &[&outside[0], &outside[1]],
        "outside its inputs folder",
    );
    for name in ["forged", "outside"] {
        let out = fulcrum(
            &[
                "merge",
                &format!("{name}-0"),
                &format!("{name}-1"),
                "--out",
                "x",
            ],
            &dir,
        );
        assert!(
            !text(&out.stderr).contains("secret-line"),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn auto_reads_the_index_from_the_scheduler() {
    let dir = scratch("shard-auto");
    let args = small_forecast("50", "1");
    let run = |variable: Option<(&str, &str)>, out: &str| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_fulcrum"));
        command
            .args(&args)
            .args(["--shard", "auto/3", "--out", out])
            .current_dir(&dir)
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("SLURM_ARRAY_TASK_ID");
        if let Some((name, value)) = variable {
            command.env(name, value);
        }
        command.output().unwrap()
    };
    let output = run(None, "none");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("JOB_COMPLETION_INDEX") && stderr.contains("SLURM_ARRAY_TASK_ID"));
    let output = run(Some(("JOB_COMPLETION_INDEX", "1")), "k8s");
    assert!(text(&output.stdout).contains("shard 1/3"), "{output:?}");
    let output = run(Some(("SLURM_ARRAY_TASK_ID", "2")), "slurm");
    assert!(text(&output.stdout).contains("shard 2/3"), "{output:?}");
    let output = run(Some(("SLURM_ARRAY_TASK_ID", "3")), "beyond");
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not below the number of shards"));
    expect(&dir, &args, &["--shard", "0/3", "--out", "zero"], 0);
    let merge: Vec<String> = ["merge", "slurm", "zero", "k8s"].map(String::from).to_vec();
    expect(&dir, &merge, &["--out", "merged"], 0);
    expect(&dir, &args, &["--out", "single"], 0);
    assert_same_results(&dir.join("single"), &dir.join("merged"));
}

#[test]
fn a_shard_folder_is_marked_as_a_shard() {
    let dir = scratch("shard-folder");
    let args = small_forecast("50", "1");
    expect(&dir, &args, &["--shard", "1/2"], 0);
    let folder: PathBuf = dir.join("output/forecast-shard-1-of-2");
    let marker = fs::read_to_string(folder.join(".fulcrum-result")).unwrap();
    assert!(marker.contains("\"command\": \"shard\""), "{marker}");
    let info: serde_json::Value =
        serde_json::from_slice(&fs::read(folder.join("shard.json")).unwrap()).unwrap();
    assert_eq!(info["start"], 1000);
    assert_eq!(info["end"], 2000);
    assert_eq!(info["command"], "forecast");
    // A second shard run into the same folder replaces it, like any result.
    expect(&dir, &args, &["--shard", "1/2"], 0);
}
