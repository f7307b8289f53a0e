//! The results folder: filled in a hidden staging folder beside it, swapped into place only
//! when complete, and allowed to replace only a folder fulcrum can prove it wrote.
//!
//! Proof is a marker file, [`MARKER`], written last: it lists every file of the result with a
//! hash of its contents. A folder is replaced only when it does not exist, is empty, or is such
//! a result holding nothing else (and, unless [`Destination::force`], unchanged since). Anything
//! else is refused with a [`Refusal`] that says what is there. The swap is one atomic
//! `renameat2(RENAME_EXCHANGE)` where the platform has it (Linux), so the previous result is
//! never only under a hidden name; elsewhere it is two renames. A staging folder is held
//! locked (`flock`) while its process lives, so the next run into the same place can tell a
//! stale one (its process killed) from a live one, and removes only the stale.

use super::lock::parent_of;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};

use super::Refusal;

/// The marker that makes a folder a fulcrum result: its identity and every file's hash.
pub const MARKER: &str = ".fulcrum-result";
/// Marks a staging folder while it is being filled (removed before the swap).
const STAGING_MARK: &str = ".fulcrum-staging";
/// Files named in messages before "and N more".
const NAMED: usize = 5;

/// Where a command writes its results folder, and whether it may replace an earlier result
/// whose files were changed since fulcrum wrote them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The results folder.
    pub path: PathBuf,
    /// Replace an earlier fulcrum result even if some of its files were edited (never a
    /// folder holding files fulcrum did not write).
    pub force: bool,
}

/// What is at a destination now.
#[derive(Debug, PartialEq, Eq)]
enum Existing {
    Nothing,
    EmptyFolder,
    /// An earlier fulcrum result holding nothing else.
    Result,
}

/// Checks that `destination` may receive a results folder, before any work is done.
/// The destination is claimed for this process from then on ([`super::lock`]): another run
/// into it is refused until this one is done.
pub fn check(destination: &Destination) -> Result<(), Refusal> {
    inspect(&destination.path, destination.force)?;
    super::lock::claim(&destination.path)
}

/// Checks that `folder` is a finished result that `command` wrote and that nothing in it
/// changed since: its marker lists every file it holds, each with the hash of its contents.
/// The refusal names what differs.
pub fn verify(folder: &Path, command: &str) -> Result<(), Refusal> {
    let shown = folder.display();
    let Some(manifest) = read_manifest(folder) else {
        return Err(Refusal(format!(
            "{shown} has no readable marker ({MARKER}): it is not a complete folder written by \
             fulcrum (a run killed while writing, or files copied without it)"
        )));
    };
    if manifest.command != command {
        return Err(Refusal(format!(
            "{shown} holds the results of `fulcrum {}`, not a {command}",
            manifest.command
        )));
    }
    let entries = list(folder).map_err(|e| Refusal(format!("cannot read {shown}: {e}")))?;
    // A link would make the folder's files someone else's (and reading it, any file).
    let links: Vec<String> = entries
        .iter()
        .filter(|f| fs::symlink_metadata(folder.join(f)).is_ok_and(|m| m.file_type().is_symlink()))
        .cloned()
        .collect();
    if !links.is_empty() {
        return Err(Refusal(format!(
            "{shown} holds symbolic links ({}): fulcrum never writes them",
            named(&links)
        )));
    }
    let unlisted: Vec<String> = entries
        .iter()
        .filter(|f| *f != MARKER && !manifest.files.contains_key(*f))
        .cloned()
        .collect();
    let missing: Vec<String> = manifest
        .files
        .keys()
        .filter(|f| !entries.contains(f))
        .cloned()
        .collect();
    let changed: Vec<String> = manifest
        .files
        .iter()
        .filter(|(file, hash)| fs::read(folder.join(file)).is_ok_and(|b| fnv(&b) != **hash))
        .map(|(file, _)| file.clone())
        .collect();
    let mut problems = Vec::new();
    if !changed.is_empty() {
        problems.push(format!(
            "its files differ from the hashes its marker recorded ({})",
            named(&changed)
        ));
    }
    if !missing.is_empty() {
        problems.push(format!(
            "files its marker lists are missing ({})",
            named(&missing)
        ));
    }
    if !unlisted.is_empty() {
        problems.push(format!(
            "it holds files its marker does not list ({})",
            named(&unlisted)
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Refusal(format!(
        "{shown} changed since fulcrum wrote it: {}",
        problems.join("; ")
    )))
}

/// What a results folder holds, as its marker records it.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Manifest {
    fulcrum_version: String,
    /// The command that wrote it.
    command: String,
    /// Relative path (with `/`) → FNV-1a hash of the contents, as 16 hex digits.
    files: BTreeMap<String, String>,
}

fn inspect(path: &Path, force: bool) -> Result<Existing, Refusal> {
    let shown = path.display();
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(Refusal(format!("cannot look at {shown}: {e}"))),
    };
    refuse_unless_a_folder(path, &meta)?;
    let entries = list(path).map_err(|e| Refusal(format!("cannot read {shown}: {e}")))?;
    if entries.is_empty() {
        return Ok(Existing::EmptyFolder);
    }
    refuse_unless_ours(path, &entries, force)?;
    Ok(Existing::Result)
}

/// Refuses a `path` (of metadata `meta`) that is not a folder fulcrum could replace: a link,
/// a file, or a folder that holds the current one.
fn refuse_unless_a_folder(path: &Path, meta: &fs::Metadata) -> Result<(), Refusal> {
    let shown = path.display();
    if meta.file_type().is_symlink() {
        return Err(Refusal(format!(
            "{shown} is a symbolic link: give the folder itself, or another --out"
        )));
    }
    if !meta.is_dir() {
        return Err(Refusal(format!(
            "{shown} exists and is not a folder: fulcrum writes a results folder there; \
             choose another --out"
        )));
    }
    if holds_current_folder(path) {
        return Err(Refusal(format!(
            "{shown} is the current folder or holds it: fulcrum replaces its results folder \
             whole; give a subfolder, e.g. --out {}",
            path.join("results").display()
        )));
    }
    Ok(())
}

/// Refuses a non-empty folder holding `entries` unless it is an earlier result of fulcrum's
/// own, unchanged since (or changed, with `force`), and holding nothing else.
fn refuse_unless_ours(path: &Path, entries: &[String], force: bool) -> Result<(), Refusal> {
    let shown = path.display();
    let Some(manifest) = read_manifest(path) else {
        let older = entries
            .iter()
            .any(|f| ["run.json", "sweep.json", "forecast.json"].contains(&f.as_str()));
        return Err(Refusal(format!(
            "{shown} already exists and holds files fulcrum did not write ({}): fulcrum \
             replaces only its own results; choose another --out or an empty folder{}",
            named(entries),
            if older {
                " (it looks like a result of an older fulcrum, which did not mark its \
                 results: delete it yourself if you no longer need it)"
            } else {
                ""
            }
        )));
    };
    let foreign: Vec<String> = entries
        .iter()
        .filter(|f| *f != MARKER && !manifest.files.contains_key(*f))
        .cloned()
        .collect();
    if !foreign.is_empty() {
        return Err(Refusal(format!(
            "{shown} is an earlier fulcrum result, but it also holds files fulcrum did not \
             write ({}): move them out first, or choose another --out",
            named(&foreign)
        )));
    }
    let changed: Vec<String> = manifest
        .files
        .iter()
        .filter(|(file, hash)| fs::read(path.join(file)).is_ok_and(|b| fnv(&b) != **hash))
        .map(|(file, _)| file.clone())
        .collect();
    if !changed.is_empty() && !force {
        return Err(Refusal(format!(
            "{shown} is an earlier fulcrum result, but some of its files were changed since \
             ({}): pass --force to replace it anyway, or choose another --out",
            named(&changed)
        )));
    }
    Ok(())
}

/// Whether the current folder is `path` or inside it.
fn holds_current_folder(path: &Path) -> bool {
    match (fs::canonicalize(path), std::env::current_dir()) {
        (Ok(folder), Ok(here)) => fs::canonicalize(here).is_ok_and(|h| h.starts_with(folder)),
        _ => false,
    }
}

/// Every file and folder under `root`, by relative path with `/` (folders end in `/` when
/// they hold nothing else); symbolic links are listed, never followed.
fn list(root: &Path) -> io::Result<Vec<String>> {
    fn walk(root: &Path, folder: &Path, out: &mut Vec<String>) -> io::Result<()> {
        let mut entries: Vec<_> = fs::read_dir(folder)?.collect::<io::Result<_>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if entry.file_type()?.is_dir() {
                let before = out.len();
                walk(root, &path, out)?;
                if out.len() == before {
                    out.push(format!("{relative}/"));
                }
            } else {
                out.push(relative);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    Ok(out)
}

fn read_manifest(folder: &Path) -> Option<Manifest> {
    let text = fs::read(folder.join(MARKER)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// `a, b, c (and 4 more)`.
fn named(files: &[String]) -> String {
    let mut text = files
        .iter()
        .take(NAMED)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > NAMED {
        text.push_str(&format!(" and {} more", files.len() - NAMED));
    }
    text
}

/// FNV-1a, 64 bits, as 16 hex digits: the hash of a file in the marker.
fn fnv(bytes: &[u8]) -> String {
    crate::shard::fingerprint_bytes(bytes)
}

/// A results folder being filled in a staging folder next to its destination, moved into place
/// only when complete: a failed run leaves no half-written files and keeps the previous result.
#[derive(Debug)]
pub struct OutputDir {
    destination: Destination,
    command: &'static str,
    staging: PathBuf,
    /// The staging folder, held locked while this process fills it.
    lock: Option<File>,
    committed: bool,
}

/// Staging folders of one process are numbered, so one process may fill several at once.
static STAGING_COUNT: AtomicUsize = AtomicUsize::new(0);

impl OutputDir {
    /// Starts filling `destination` for `command` (created, with its parents, on commit).
    /// Refuses (a [`Refusal`] inside the error) a destination [`check`] refuses.
    pub fn create(destination: &Destination, command: &'static str) -> Result<OutputDir> {
        check(destination)?;
        let target = &destination.path;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Refusal(format!("{} does not name a folder", target.display())))?;
        let parent = parent_of(target);
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
        remove_stale_staging(parent, name);
        let count = STAGING_COUNT.fetch_add(1, Ordering::Relaxed);
        let staging = parent.join(format!(".{name}.partial-{}-{count}", std::process::id()));
        if staging.exists() {
            // Left by a dead process with the same id, holding files of ours only.
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir(&staging).with_context(|| format!("cannot create {}", staging.display()))?;
        let mut dir = OutputDir {
            destination: destination.clone(),
            command,
            staging,
            lock: None,
            committed: false,
        };
        dir.write(STAGING_MARK, b"")?;
        // Where directories cannot be locked (not Unix), stale staging folders stay.
        dir.lock = File::open(&dir.staging).ok().filter(|f| f.lock().is_ok());
        Ok(dir)
    }

    /// Where the results will be once committed.
    pub fn target(&self) -> &Path {
        &self.destination.path
    }

    /// Path of a file inside the staging folder.
    pub fn staged(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        let path = self.staged(file);
        fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Marks the finished folder as fulcrum's and swaps it into place, replacing an earlier
    /// result only now (and only one [`check`] allows).
    pub fn commit(mut self) -> Result<()> {
        self.mark()?;
        let target = self.destination.path.clone();
        let existing = inspect(&target, self.destination.force)?;
        if existing == Existing::Nothing {
            match fs::rename(&self.staging, &target) {
                Ok(()) => {
                    self.committed = true;
                    return Ok(());
                }
                // Another run got there first: replace its result like any other.
                Err(_) if target.exists() => {}
                Err(e) => {
                    return Err(e)
                        .with_context(|| format!("cannot move results into {}", target.display()));
                }
            }
        }
        let existing = inspect(&target, self.destination.force)?;
        self.swap_in(&target)?;
        self.committed = true;
        self.remove_previous(existing)
    }

    /// Writes the marker: every file of the folder and its hash.
    fn mark(&self) -> Result<()> {
        fs::remove_file(self.staged(STAGING_MARK)).ok();
        let mut files = BTreeMap::new();
        let listed = list(&self.staging)
            .with_context(|| format!("cannot read {}", self.staging.display()))?;
        for file in listed.into_iter().filter(|f| !f.ends_with('/')) {
            let bytes = fs::read(self.staging.join(&file))
                .with_context(|| format!("cannot read back {file}"))?;
            files.insert(file, fnv(&bytes));
        }
        let manifest = Manifest {
            fulcrum_version: env!("CARGO_PKG_VERSION").to_string(),
            command: self.command.to_string(),
            files,
        };
        let mut json = serde_json::to_vec_pretty(&manifest)?;
        json.push(b'\n');
        self.write(MARKER, &json)
    }

    /// Puts the staging folder at `target` and the previous folder at the staging path.
    fn swap_in(&self, target: &Path) -> Result<()> {
        match exchange(&self.staging, target) {
            Ok(true) => Ok(()),
            Ok(false) => {
                // No atomic exchange here: two renames, the earlier result put back on failure.
                let mut aside = self.staging.clone().into_os_string();
                aside.push(".old");
                let aside = PathBuf::from(aside);
                fs::rename(target, &aside)
                    .with_context(|| format!("cannot move aside {}", target.display()))?;
                if let Err(e) = fs::rename(&self.staging, target) {
                    fs::rename(&aside, target).ok();
                    return Err(e)
                        .with_context(|| format!("cannot move results into {}", target.display()));
                }
                fs::rename(&aside, &self.staging)
                    .with_context(|| format!("cannot tidy {}", aside.display()))
            }
            Err(e) => {
                Err(e).with_context(|| format!("cannot move results into {}", target.display()))
            }
        }
    }

    /// Removes the folder the swap put at the staging path, once more proven fulcrum's.
    fn remove_previous(&self, existing: Existing) -> Result<()> {
        let previous = &self.staging;
        let removed = match existing {
            Existing::EmptyFolder => fs::remove_dir(previous).is_ok(),
            _ => {
                inspect(previous, self.destination.force).is_ok()
                    && fs::remove_dir_all(previous).is_ok()
            }
        };
        if !removed && previous.exists() {
            // Something appeared in it between the check and the swap: keep it, in sight.
            let kept = parent_of(previous).join(format!(
                "{}.kept-{}",
                self.destination
                    .path
                    .file_name()
                    .map_or("output".into(), |n| n.to_string_lossy()),
                std::process::id()
            ));
            fs::rename(previous, &kept).ok();
            anyhow::bail!(
                "the results are in {}, but the folder they replaced changed during the run \
                 and was kept as {}",
                self.destination.path.display(),
                kept.display()
            );
        }
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            fs::remove_dir_all(&self.staging).ok();
        }
        self.lock.take();
        super::lock::release(&self.destination.path);
    }
}

/// Removes the staging folders for `name` in `parent` that no live process holds and that
/// hold nothing but fulcrum's files (left by a run that was killed).
fn remove_stale_staging(parent: &Path, name: &str) {
    let prefix = format!(".{name}.partial-");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_staging = file_name.to_str().is_some_and(|n| n.starts_with(&prefix));
        let path = entry.path();
        if !is_staging || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(handle) = File::open(&path) else {
            continue;
        };
        if handle.try_lock().is_err() {
            continue; // a live run is filling it
        }
        let ours = path.join(STAGING_MARK).exists() || inspect(&path, false).is_ok();
        if ours {
            fs::remove_dir_all(&path).ok();
        }
    }
}

/// Atomically exchanges two folders; `Ok(false)` where the platform or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings for the duration of the call.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        return Ok(true);
    }
    let error = io::Error::last_os_error();
    match error.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => Ok(false),
        _ => Err(error),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let root =
            std::env::temp_dir().join(format!("fulcrum-output-{name}-{}", std::process::id()));
        fs::remove_dir_all(&root).ok();
        fs::create_dir_all(&root).unwrap();
        root
    }

    fn destination(path: PathBuf) -> Destination {
        Destination { path, force: false }
    }

    fn write_result(target: &Destination, text: &str) {
        let out = OutputDir::create(target, "run").unwrap();
        out.write("summary.csv", text.as_bytes()).unwrap();
        fs::create_dir(out.staged("plots")).unwrap();
        out.write("plots/debt.svg", b"<svg/>").unwrap();
        out.commit().unwrap();
    }

    #[test]
    fn an_uncommitted_output_leaves_the_earlier_result_alone() {
        let root = scratch("uncommitted");
        let target = destination(root.join("run"));
        write_result(&target, "old");
        {
            let out = OutputDir::create(&target, "run").unwrap();
            out.write("summary.csv", b"half").unwrap();
            // dropped without commit: a failed run
        }
        let read = || fs::read_to_string(root.join("run/summary.csv")).unwrap();
        assert_eq!(read(), "old");
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1, "staging removed");
        write_result(&target, "new");
        assert_eq!(read(), "new");
        assert_eq!(
            fs::read_dir(&root).unwrap().count(),
            1,
            "old result removed"
        );
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn only_empty_folders_and_unchanged_results_of_its_own_are_replaced() {
        let root = scratch("replace");
        let target = destination(root.join("out"));
        fs::create_dir(&target.path).unwrap();
        assert_eq!(inspect(&target.path, false), Ok(Existing::EmptyFolder));
        write_result(&target, "a");
        assert_eq!(inspect(&target.path, false), Ok(Existing::Result));

        // An edited result needs --force; a foreign file is never replaced.
        fs::write(target.path.join("summary.csv"), "edited").unwrap();
        let refusal = check(&target).unwrap_err();
        assert!(
            refusal.0.contains("changed since (summary.csv)"),
            "{refusal}"
        );
        assert_eq!(inspect(&target.path, true), Ok(Existing::Result));
        fs::write(target.path.join("notes.txt"), "mine").unwrap();
        for force in [false, true] {
            let refusal = inspect(&target.path, force).unwrap_err();
            assert!(refusal.0.contains("did not write (notes.txt)"), "{refusal}");
        }
        let error = OutputDir::create(
            &Destination {
                force: true,
                ..target.clone()
            },
            "run",
        )
        .unwrap_err();
        assert!(error.downcast_ref::<Refusal>().is_some());
        assert_eq!(
            fs::read_to_string(target.path.join("notes.txt")).unwrap(),
            "mine"
        );

        // A folder of someone else's, a file, a symbolic link.
        let docs = root.join("docs");
        fs::create_dir(&docs).unwrap();
        fs::write(docs.join("thesis.txt"), "years of work").unwrap();
        assert!(
            check(&destination(docs.clone()))
                .unwrap_err()
                .0
                .contains("thesis.txt")
        );
        let file = root.join("file.txt");
        fs::write(&file, "x").unwrap();
        assert!(
            check(&destination(file))
                .unwrap_err()
                .0
                .contains("is not a folder")
        );
        #[cfg(unix)]
        {
            let link = root.join("link");
            std::os::unix::fs::symlink(&docs, &link).unwrap();
            assert!(
                check(&destination(link))
                    .unwrap_err()
                    .0
                    .contains("symbolic link")
            );
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn stale_staging_folders_are_removed_and_live_ones_kept() {
        let root = scratch("stale");
        let stale = root.join(".run.partial-999999-0");
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join(STAGING_MARK), "").unwrap();
        fs::write(stale.join("summary.csv"), "half").unwrap();
        let live = root.join(".run.partial-999998-0");
        fs::create_dir(&live).unwrap();
        fs::write(live.join(STAGING_MARK), "").unwrap();
        let held = File::open(&live).unwrap();
        held.lock().unwrap();
        let foreign = root.join(".run.partial-mine");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("thesis.txt"), "x").unwrap();

        write_result(&destination(root.join("run")), "new");
        assert!(!stale.exists(), "a killed run's staging folder is cleaned");
        assert!(live.exists(), "a live run's staging folder is kept");
        assert!(
            foreign.join("thesis.txt").exists(),
            "a folder that is not ours is kept"
        );
        drop(held);
        fs::remove_dir_all(&root).unwrap();
    }
}
