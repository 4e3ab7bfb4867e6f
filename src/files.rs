//! Where policy, schema and module texts come from. The loader never opens a file itself: it
//! asks a [`Files`], as typst's compiler asks its `World`. [`DiskFiles`] reads the disk;
//! [`MemoryFiles`] holds texts in memory (an editor's open buffers, a browser's workbench, a
//! test), optionally in front of the disk, so an unsaved module is checked as it stands.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Why a file's text could not be had.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileError {
    /// The operating system could not read it; its words.
    Io(String),
    /// Not in memory, and no disk behind.
    NotInMemory,
    /// The bytes stop being UTF-8 at this line and column (columns count characters).
    NotUtf8 {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::Io(reason) => f.write_str(reason),
            FileError::NotInMemory => f.write_str("no such file among the open files"),
            FileError::NotUtf8 { line, column } => write!(
                f,
                "line {line}, column {column} is not valid UTF-8; save the file as UTF-8 \
                 (it may have been saved as GBK)"
            ),
        }
    }
}

impl std::error::Error for FileError {}

/// A source of policy, schema and module texts.
pub trait Files: Sync {
    /// The whole text of the file at `path`.
    fn read(&self, path: &Path) -> Result<String, FileError>;

    /// One spelling for every way of naming the same file (`a/../b.policy` and `b.policy`), so
    /// a module included twice is read once and a policy including itself is caught.
    fn identity(&self, path: &Path) -> PathBuf {
        normalized(path)
    }
}

/// The files on disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFiles;

impl Files for DiskFiles {
    fn read(&self, path: &Path) -> Result<String, FileError> {
        let bytes = std::fs::read(path).map_err(|error| FileError::Io(error.to_string()))?;
        text_of(bytes)
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalized(path))
    }
}

/// Texts held in memory by path, optionally in front of the disk: a path held here is read
/// from here, any other from the disk (when `over_disk`) or not at all.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    texts: BTreeMap<PathBuf, String>,
    over_disk: bool,
}

impl MemoryFiles {
    /// No files, and nothing behind them.
    pub fn new() -> MemoryFiles {
        MemoryFiles::default()
    }

    /// No files yet, in front of the disk.
    pub fn over_disk() -> MemoryFiles {
        MemoryFiles {
            texts: BTreeMap::new(),
            over_disk: true,
        }
    }

    /// Holds `text` as the file at `path` (replacing what was held there).
    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) {
        self.texts.insert(normalized(path.as_ref()), text.into());
    }

    /// The same, by value.
    pub fn with(mut self, path: impl AsRef<Path>, text: impl Into<String>) -> MemoryFiles {
        self.insert(path, text);
        self
    }

    /// Forgets the file at `path` (a closed buffer): it is read from behind again.
    pub fn remove(&mut self, path: impl AsRef<Path>) {
        self.texts.remove(&normalized(path.as_ref()));
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path) -> Result<String, FileError> {
        match self.texts.get(&normalized(path)) {
            Some(text) => Ok(text.clone()),
            None if self.over_disk => DiskFiles.read(path),
            None => Err(FileError::NotInMemory),
        }
    }

    fn identity(&self, path: &Path) -> PathBuf {
        let path = normalized(path);
        if self.over_disk && !self.texts.contains_key(&path) {
            return DiskFiles.identity(&path);
        }
        path
    }
}

/// Bytes as text, or where they stop being UTF-8: policy files are edited by hand, often on
/// machines whose default encoding is GBK.
fn text_of(bytes: Vec<u8>) -> Result<String, FileError> {
    String::from_utf8(bytes).map_err(|error| {
        let good = error.as_bytes().get(..error.utf8_error().valid_up_to());
        let before = good.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
        FileError::NotUtf8 {
            line: before.matches('\n').count() + 1,
            column: before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
        }
    })
}

/// `path` with `.` dropped and `..` taken back where it can be, without asking the disk.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_utf8_is_named_by_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gbk.policy");
        std::fs::write(&path, b"policy p \"p\"\nlet \xc4\xe3 = 1\n").unwrap();
        let message = DiskFiles.read(&path).unwrap_err().to_string();
        assert!(
            message.starts_with("line 2, column 5 is not valid UTF-8"),
            "{message}"
        );
    }

    #[test]
    fn memory_files_are_found_under_any_spelling_and_shadow_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = dir.path().join("m.policy");
        std::fs::write(&on_disk, "saved").unwrap();
        let files = MemoryFiles::over_disk().with(dir.path().join("a/../m.policy"), "unsaved");
        assert_eq!(files.read(&on_disk).unwrap(), "unsaved");
        assert_eq!(
            files.read(&dir.path().join("./m.policy")).unwrap(),
            "unsaved"
        );
        let alone = MemoryFiles::new().with("p/x.policy", "x");
        assert_eq!(alone.read(Path::new("p/x.policy")).unwrap(), "x");
        assert_eq!(
            alone.read(&on_disk).unwrap_err(),
            FileError::NotInMemory,
            "memory alone never reads the disk"
        );
        assert_eq!(
            alone.identity(Path::new("p/q/../x.policy")),
            PathBuf::from("p/x.policy")
        );
    }
}
