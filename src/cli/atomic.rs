//! Output files that appear whole or not at all.
//!
//! Decisions, rejected rows, reports and formatted policies are written to a temporary file in
//! the destination's own folder (so the final rename never crosses file systems), then renamed
//! over the final name in one step. A run that fails removes its temporary file; a run that is
//! killed may leave a hidden `.NAME.…` temporary beside it, but never a half-written file under
//! the final name.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::manifest::{Fingerprint, Hasher};

/// A file being written under a temporary name.
pub(crate) struct AtomicFile {
    out: BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
    /// What has been written, for the run manifest.
    hasher: Hasher,
}

impl AtomicFile {
    /// Starts writing what will become `path`.
    pub(crate) fn create(path: &Path) -> Result<AtomicFile, String> {
        let folder = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".partial")
            .tempfile_in(folder)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(AtomicFile {
            out: BufWriter::with_capacity(1 << 20, temporary),
            path: path.to_path_buf(),
            hasher: Hasher::default(),
        })
    }

    /// Flushes everything to disk and gives the file its final name; returns the size and
    /// SHA-256 of what was written.
    pub(crate) fn commit(self) -> Result<Fingerprint, String> {
        let AtomicFile { out, path, hasher } = self;
        let failed = |e: &dyn std::fmt::Display| format!("cannot write `{}`: {e}", path.display());
        let temporary = out.into_inner().map_err(|e| failed(&e.into_error()))?;
        temporary.as_file().sync_all().map_err(|e| failed(&e))?;
        temporary.persist(&path).map_err(|e| failed(&e.error))?;
        Ok(hasher.finish())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.out.write(bytes)?;
        self.hasher.update(bytes.get(..written).unwrap_or_default());
        Ok(written)
    }
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.hasher.update(bytes);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Writes `bytes` as the whole of `path`, atomically.
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    file.commit().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_final_name_appears_only_on_commit_and_a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut file = AtomicFile::create(&path).unwrap();
        file.write_all(b"half").unwrap();
        assert!(!path.exists());
        let written = file.commit().unwrap();
        assert_eq!(written.sha256, Fingerprint::of(b"half").sha256);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "half");

        let mut abandoned = AtomicFile::create(&path).unwrap();
        abandoned.write_all(b"never").unwrap();
        drop(abandoned);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "half",
            "the old file stays"
        );
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
    }
}
