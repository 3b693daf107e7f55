//! Writing results: to stdout, or to a file that appears whole or not at all.
//!
//! A destination is written only if it is a new path or an existing regular file that no
//! input of the same run is: never through a symbolic link, never onto a device node or a
//! FIFO, never over a file just read. On Linux the contents go into an anonymous file
//! (`O_TMPFILE`) that gets a name only once complete, so a run killed at any moment, even
//! by `kill -9` or the file-size limit, leaves nothing behind; elsewhere a named temporary
//! file beside the destination is renamed into place and removed on any error.
//!
//! Outputs are not forced to disk (no `fsync`), as compilers and document converters do
//! not force theirs: a run's output can always be made again from its inputs, and forcing
//! the example's ReqIF export out took longer (4-6 ms) than making it. A power cut just after
//! a run may leave the newest file empty on some file systems; a failed or killed run
//! still never leaves part of one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Failure;

/// Prints data (JSON, CSV, TOML, ...) to stdout: as it is in a pipe or file, with control
/// characters made visible on a terminal. A closed pipe (`avtrace ... | head`) is not an
/// error.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    if crate::terminal::stdout_is_terminal() {
        write_stdout(&crate::terminal::escape_controls(text))
    } else {
        write_stdout(text)
    }
}

/// Prints a table or message for people: control characters always made visible, and on
/// a terminal lines cut to its width and coloured (see `terminal`).
pub(crate) fn print_table(text: &str) -> Result<(), Failure> {
    write_stdout(&crate::terminal::for_stdout(text))
}

/// Writes what `write` makes to `path` (atomically) or, without one, to standard output, as
/// it is made: a large document is never held whole. On a terminal it is gathered first,
/// so that [`print`] can make control characters visible.
pub(crate) fn stream(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    if let Some(path) = path {
        return write_atomically_with(path, |file| write(file).map_err(|e| e.to_string()));
    }
    if crate::terminal::stdout_is_terminal() {
        let mut text = Vec::new();
        write(&mut text).map_err(|e| Failure::input(format!("cannot write to standard output: {e}")))?;
        return print(&String::from_utf8_lossy(&text));
    }
    let mut stdout = std::io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::input(format!("cannot write to standard output: {e}"))),
    }
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::input(format!("cannot write to standard output: {e}"))),
    }
}

/// The files this run has read, which it must not write over.
static INPUTS: Mutex<Vec<FileId>> = Mutex::new(Vec::new());

#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

/// What makes two paths one file: device and inode (so hard links and other spellings of
/// a path are caught), else the path with every link resolved.
fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok()
    }
}

/// Records that this run read `path`, so that no output of the run replaces it.
pub(crate) fn protect(path: &Path) {
    if avtrace_catalog::is_stdin(path) {
        return;
    }
    if let Some(id) = file_id(path)
        && let Ok(mut inputs) = INPUTS.lock()
    {
        inputs.push(id);
    }
}

/// Turns the file-size limit (`ulimit -f`) from a signal that kills the process into an
/// error from `write`, which is reported and cleaned up like any other.
pub(crate) fn catch_file_size_limit() {
    #[cfg(unix)]
    {
        let _ = signal_hook::flag::register(
            signal_hook::consts::SIGXFSZ,
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        );
    }
}

/// Writes `bytes` to `path` whole or not at all (see the module's documentation).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomically_with(path, |file| file.write_all(bytes).map_err(|e| e.to_string()))
}

/// Like [`write_atomically`], with the contents produced by `write` into the temporary
/// file (which can seek, for zip archives). An error from `write` leaves nothing behind.
pub(crate) fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), String>,
) -> Result<(), Failure> {
    let mut staged = Staged::new(path)?;
    write(staged.file()).map_err(|e| staged.failure("write", &e))?;
    staged.persist()
}

/// An output being written: a file without the destination's name until [`Staged::persist`]
/// gives it that name, all at once. Dropped before then, it leaves nothing behind. A command
/// that writes several outputs can stage them all and name them only once every one is
/// complete.
pub(crate) struct Staged {
    path: PathBuf,
    dir: PathBuf,
    mode: u32,
    file: StagedFile,
}

enum StagedFile {
    /// Unnamed until linked (Linux `O_TMPFILE`): nothing to clean up even after `kill -9`.
    #[cfg(target_os = "linux")]
    Anonymous(std::fs::File),
    /// A named temporary file beside the destination, removed when dropped.
    Named(tempfile::NamedTempFile),
}

impl Staged {
    /// Stages an output for `path`, after checking that `path` may be written (see the
    /// module's documentation).
    pub(crate) fn new(path: &Path) -> Result<Staged, Failure> {
        let existing = check_destination(path)?;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A temporary file is private (0600); the output is a document to share, so give it
        // the permissions of the file it replaces, or those of a newly created file.
        let mode = mode_for(existing.as_ref());
        #[cfg(target_os = "linux")]
        if let Some(file) = anonymous::create(&dir) {
            return Ok(Staged { path: path.to_path_buf(), dir, mode, file: StagedFile::Anonymous(file) });
        }
        let file = tempfile::Builder::new()
            .prefix(".avtrace-")
            .tempfile_in(&dir)
            .map_err(|e| Failure::input(format!("cannot create a temporary file beside {}: {e}", path.display())))?;
        Ok(Staged { path: path.to_path_buf(), dir, mode, file: StagedFile::Named(file) })
    }

    /// The file to write the contents to.
    pub(crate) fn file(&mut self) -> &mut std::fs::File {
        match &mut self.file {
            #[cfg(target_os = "linux")]
            StagedFile::Anonymous(file) => file,
            StagedFile::Named(file) => file.as_file_mut(),
        }
    }

    /// Starts writing the complete contents back to disk, without waiting for it. ext4 does
    /// this itself when a file is renamed over another (`auto_da_alloc`), inside the rename
    /// and under the folder's lock; started as soon as a file is complete, it runs while the
    /// other outputs are still being made. Only a hint: nothing is forced to disk, and a file
    /// system that ignores it loses nothing.
    pub(crate) fn start_writeback(&self) {
        #[cfg(target_os = "linux")]
        {
            let file = match &self.file {
                StagedFile::Anonymous(file) => file,
                StagedFile::Named(file) => file.as_file(),
            };
            // POSIX_FADV_DONTNEED starts writeback of the dirty pages (WB_SYNC_NONE), then
            // drops only pages that are clean, which these are not yet.
            let _ = rustix::fs::fadvise(file, 0, None, rustix::fs::Advice::DontNeed);
        }
    }

    /// Why writing this output failed, naming its destination.
    pub(crate) fn failure(&self, what: &str, e: &dyn std::fmt::Display) -> Failure {
        Failure::input(format!("cannot {what} {}: {e}", self.path.display()))
    }

    /// Gives the complete contents the destination's name, replacing what was there.
    pub(crate) fn persist(mut self) -> Result<(), Failure> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let permissions = std::fs::Permissions::from_mode(self.mode);
            self.file().set_permissions(permissions).map_err(|e| self.failure("write", &e))?;
        }
        let Staged { path, dir, mode, file } = self;
        let fail =
            |what: &str, e: &dyn std::fmt::Display| Failure::input(format!("cannot {what} {}: {e}", path.display()));
        match file {
            #[cfg(target_os = "linux")]
            StagedFile::Anonymous(mut file) => match anonymous::link(&file, &dir, &path) {
                Ok(()) => Ok(()),
                // No way to name it here (no /proc, no privilege): copy it to a named file.
                Err(_) => {
                    use std::io::Seek as _;
                    file.rewind().map_err(|e| fail("write", &e))?;
                    named(&path, &dir, mode, |out| std::io::copy(&mut file, out).map(|_| ()).map_err(|e| e.to_string()))
                }
            },
            StagedFile::Named(file) => {
                let _ = (dir, mode);
                file.persist(&path).map(|_| ()).map_err(|e| fail("replace", &e.error))
            }
        }
    }
}

/// The portable way: a named temporary file beside the destination, removed on error and
/// renamed into place when complete.
#[cfg(target_os = "linux")]
fn named(
    path: &Path,
    dir: &Path,
    mode: u32,
    write: impl FnOnce(&mut std::fs::File) -> Result<(), String>,
) -> Result<(), Failure> {
    let fail = |what: &str, e: &dyn std::fmt::Display| Failure::input(format!("cannot {what} {}: {e}", path.display()));

    let mut file = tempfile::Builder::new()
        .prefix(".avtrace-")
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file beside", &e))?;
    write(file.as_file_mut()).map_err(|e| fail("write", &e))?;
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(|e| fail("write", &e))?;
    }
    file.persist(path).map_err(|e| fail("replace", &e.error))?;
    Ok(())
}

/// The permissions of the file replaced, or those of a new document (0644).
fn mode_for(existing: Option<&std::fs::Metadata>) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        existing.map_or(0o644, |m| m.permissions().mode())
    }
    #[cfg(not(unix))]
    {
        let _ = existing;
        0o644
    }
}

/// The destination's metadata when it is an existing regular file that may be replaced,
/// `None` when it is a new path, or why it must not be written.
fn check_destination(path: &Path) -> Result<Option<std::fs::Metadata>, Failure> {
    let refuse = |why: &str| {
        Failure::input(format!(
            "{} {why}; avtrace writes only to a new path or over a regular file: nothing was written",
            path.display()
        ))
    };
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::input(format!("cannot write {}: {e}", path.display()))),
    };
    let file_type = metadata.file_type();
    if file_type.is_symlink() {
        let target = std::fs::read_link(path).unwrap_or_else(|_| PathBuf::from("?"));
        return Err(refuse(&format!("is a symbolic link (to {})", target.display())));
    }
    if !metadata.is_file() {
        return Err(refuse(&format!("is {}", avtrace_catalog::file_kind(file_type))));
    }
    if let (Some(id), Ok(inputs)) = (file_id(path), INPUTS.lock())
        && inputs.contains(&id)
    {
        return Err(Failure::input(format!(
            "{} is an input of this run: writing it would replace what was read; nothing was written",
            path.display()
        )));
    }
    Ok(Some(metadata))
}

/// Files without a name until they are complete (Linux `O_TMPFILE`).
#[cfg(target_os = "linux")]
mod anonymous {
    use std::fs::File;
    use std::os::fd::AsRawFd as _;
    use std::path::Path;

    use rustix::fs::{AtFlags, CWD, Mode, OFlags};

    /// An unnamed file in `dir`, or `None` where the file system cannot make one (then
    /// the caller falls back to a named temporary file).
    pub(super) fn create(dir: &Path) -> Option<File> {
        rustix::fs::openat(CWD, dir, OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC, Mode::from_raw_mode(0o600))
            .ok()
            .map(File::from)
    }

    /// Gives `file` the name `path`: directly when the path is new, else under a temporary
    /// name renamed over the destination (`linkat` cannot replace), for the microseconds
    /// between the two calls.
    pub(super) fn link(file: &File, dir: &Path, path: &Path) -> std::io::Result<()> {
        match link_as(file, path) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let named = tempfile::Builder::new().prefix(".avtrace-").make_in(dir, |temp| link_as(file, temp))?;
        named.persist(path).map(|_| ()).map_err(|e| e.error)
    }

    /// `linkat` of an open anonymous file: through `/proc/self/fd`, which needs no
    /// privilege, else by descriptor, which needs `CAP_DAC_READ_SEARCH`.
    fn link_as(file: &File, path: &Path) -> std::io::Result<()> {
        let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
        match rustix::fs::linkat(CWD, proc_path.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::EXIST) => Err(rustix::io::Errno::EXIST.into()),
            Err(_) => rustix::fs::linkat(file, "", CWD, path, AtFlags::EMPTY_PATH).map_err(Into::into),
        }
    }
}

/// Leaves `value` to be reclaimed when the process exits, which every command does once its
/// output is written. A program of a million requirements holds millions of allocations;
/// freeing them one by one took a third of `check`'s time, and the OS takes the pages back
/// at once.
pub(crate) fn free_at_exit<T>(value: T) {
    std::mem::forget(value);
}
