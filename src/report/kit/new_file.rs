//! A single new file (`import --scenario`, `init`), which must not exist yet: reserved before
//! the work, so that a missing or unwritable folder or a taken name is refused at once (a
//! [`Refusal`], exit 2), and written at the end under a hidden temporary name beside it, then
//! linked under its own name once every byte is on disk. A failure (a full disk) leaves
//! nothing under the name, so that a re-run is not refused by a half-written file.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::Refusal;

/// A reserved new file: its temporary file is open in the destination's folder.
#[derive(Debug)]
pub struct NewFile {
    path: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

fn taken(path: &Path) -> Refusal {
    Refusal(format!(
        "{} exists: choose another file or remove it (fulcrum never overwrites one)",
        path.display()
    ))
}

impl NewFile {
    /// Reserves `path`: its folder must exist and take a new file, and `path` must not exist.
    pub fn reserve(path: &Path) -> Result<NewFile, Refusal> {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if !folder.is_dir() {
            let what = if folder.exists() {
                "is not a folder"
            } else {
                "does not exist"
            };
            return Err(Refusal(format!(
                "cannot write {}: the folder {} {what}; create it first",
                path.display(),
                folder.display()
            )));
        }
        if path.symlink_metadata().is_ok() {
            return Err(taken(path));
        }
        let Some(name) = path.file_name() else {
            return Err(Refusal(format!("{} is not a file name", path.display())));
        };
        let temp = folder.join(format!(
            ".{}.fulcrum-{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| {
                Refusal(format!(
                    "cannot write {}: the folder {} does not take a new file ({e})",
                    path.display(),
                    folder.display()
                ))
            })?;
        Ok(NewFile {
            path: path.to_path_buf(),
            temp,
            file: Some(file),
        })
    }

    /// Writes `bytes` and puts the file under its name, which must still be free.
    pub fn write(mut self, bytes: &[u8]) -> Result<()> {
        let mut file = self.file.take().expect("a reserved file is written once");
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        drop(file);
        match fs::hard_link(&self.temp, &self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(taken(&self.path).into())
            }
            // A file system without hard links (FAT, some network shares): a rename, which
            // would replace a file made since the reservation, so after a last look.
            Err(_) if self.path.symlink_metadata().is_ok() => Err(taken(&self.path).into()),
            Err(_) => fs::rename(&self.temp, &self.path)
                .with_context(|| format!("cannot write {}", self.path.display())),
        }
    }
}

/// The temporary file goes, whether the file was written or not.
impl Drop for NewFile {
    fn drop(&mut self) {
        fs::remove_file(&self.temp).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_reserved_before_and_written_whole() {
        let dir = std::env::temp_dir().join(format!("fulcrum-new-file-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.toml");
        fs::remove_file(&path).ok();
        let reserved = NewFile::reserve(&path).unwrap();
        assert!(!path.exists(), "nothing under the name before the write");
        reserved.write(b"x = 1\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"x = 1\n");
        let e = NewFile::reserve(&path).unwrap_err();
        assert!(e.0.contains("exists"), "{e}");
        let e = NewFile::reserve(&dir.join("missing/a.toml")).unwrap_err();
        assert!(e.0.contains("does not exist"), "{e}");
        // Dropped without a write: nothing is left, not even the temporary file.
        drop(NewFile::reserve(&dir.join("b.toml")).unwrap());
        let left: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["a.toml"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
