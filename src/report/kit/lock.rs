//! The lock on a results folder: a run claims its destination before any work, so a second
//! run into the same folder is refused at once (exit 2) instead of both running to the end
//! and one silently replacing the other, and a destination it cannot write in is refused
//! before the work, not after it.
//!
//! The lock is an `flock` on a file beside the destination (`.<name>.lock` in its parent),
//! held while this process lives or until it releases it; the file holds the holder's process
//! id for the refusal. The holder removes the file when it is done; a process that locked a
//! file another removed meanwhile locks the new one instead (the inode check in [`claim`]),
//! so two runs never hold two different files for one folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::Refusal;

/// A destination this process holds.
struct Claim {
    /// The lock file.
    path: PathBuf,
    /// It, open and locked.
    file: File,
    /// The outermost folder the claim created to hold the lock file, if any: removed again
    /// (with those inside it) on release while empty, so a run refused later leaves nothing.
    created: Option<PathBuf>,
}

impl Claim {
    /// Removes the lock file (while still locked: a waiting process then sees a new file,
    /// see [`claim`]) and the empty folders the claim created, then unlocks.
    fn release(self) {
        fs::remove_file(&self.path).ok();
        if let Some(outermost) = &self.created {
            let mut folder = self.path.parent();
            while let Some(f) = folder {
                if fs::remove_dir(f).is_err() || f == outermost {
                    break;
                }
                folder = f.parent();
            }
        }
        drop(self.file);
    }
}

/// The destinations this process holds.
static CLAIMS: Mutex<Vec<Claim>> = Mutex::new(Vec::new());

fn claims() -> MutexGuard<'static, Vec<Claim>> {
    CLAIMS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The lock file of results folder `target`, beside it; `None` when `target` names no folder
/// (refused elsewhere).
fn lock_path(target: &Path) -> Option<PathBuf> {
    let name = target.file_name()?.to_str()?;
    Some(parent_of(target).join(format!(".{name}.lock")))
}

/// Claims results folder `target` for this process (again: nothing to do), creating its
/// parent if needed; refused when another process holds it, or when the parent cannot be
/// written in.
pub fn claim(target: &Path) -> Result<(), Refusal> {
    let Some(path) = lock_path(target) else {
        return Ok(());
    };
    let mut claims = claims();
    if claims.iter().any(|held| held.path == path) {
        return Ok(());
    }
    let parent = parent_of(target);
    let unwritable = |e: io::Error| {
        Refusal(format!(
            "cannot write the results folder {}: {} cannot be written in ({e}); choose \
             another --out",
            target.display(),
            parent.display()
        ))
    };
    let created = parent
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .last()
        .map(Path::to_path_buf);
    fs::create_dir_all(parent).map_err(unwritable)?;
    refuse_read_only(target)?;
    loop {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(unwritable)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                let holder = holder.trim();
                return Err(Refusal(format!(
                    "another fulcrum{} is writing {} now: wait for it to finish, or choose \
                     another --out (two runs into one folder would replace each other's \
                     results)",
                    if holder.is_empty() {
                        String::new()
                    } else {
                        format!(" (process {holder})")
                    },
                    target.display()
                )));
            }
            // Where files cannot be locked, run without the lock.
            Err(fs::TryLockError::Error(_)) => return Ok(()),
        }
        if same_file(&file, &path) {
            let mut file = file;
            file.set_len(0).ok();
            write!(file, "{}", std::process::id()).ok();
            claims.push(Claim {
                path,
                file,
                created,
            });
            return Ok(());
        }
        // The holder removed the file after we opened it: lock the one there now.
    }
}

/// Refuses an existing destination this process may not write in (its previous result could
/// not be replaced after the run).
fn refuse_read_only(target: &Path) -> Result<(), Refusal> {
    #[cfg(unix)]
    if target.is_dir() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(target.as_os_str().as_bytes())
            .map_err(|_| Refusal(format!("{} is not a path", target.display())))?;
        // SAFETY: a valid NUL-terminated path for the duration of the call.
        if unsafe { libc::access(path.as_ptr(), libc::W_OK) } != 0 {
            return Err(Refusal(format!(
                "cannot replace {}: it cannot be written in ({}); choose another --out",
                target.display(),
                io::Error::last_os_error()
            )));
        }
    }
    Ok(())
}

/// Whether the open `file` is still the file at `path`.
fn same_file(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Releases this process's claim on `target`, removing its lock file (nothing when it holds
/// none).
pub fn release(target: &Path) {
    let Some(path) = lock_path(target) else {
        return;
    };
    let mut claims = claims();
    if let Some(at) = claims.iter().position(|held| held.path == path) {
        claims.remove(at).release();
    }
}

/// Releases every claim this process holds (at exit, also after a failure).
pub fn release_all() {
    for claim in claims().drain(..) {
        claim.release();
    }
}

/// The folder `path` is in (`.` for a bare name).
pub(super) fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}
