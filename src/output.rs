//! Where output goes: standard output, or a file written atomically (to a temporary file
//! beside it, then renamed), so that FILE is either the old one or the whole new one.
//!
//! Replacing FILE by renaming bypasses what writing into it would check, so the checks are
//! made here: FILE as a symbolic link is written through (its target is replaced, the link
//! stays a link), and a read-only FILE is refused rather than replaced.
//!
//! While a temporary file exists its path is in a registry, so that an interruption (see
//! `signals`) can remove it: FILE stays the old one and nothing is left beside it.

use anyhow::{Context, Result, bail};
use std::fs::{self, Metadata};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What an error writing to standard output says it was doing.
pub const WRITING_STDOUT: &str = "writing to standard output";

/// Runs `render` into `path` (atomically) or, without one, into standard output.
pub fn write_to(
    path: Option<&Path>,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            render(&mut out)
                .and_then(|_| out.flush())
                .context(WRITING_STDOUT)
        }
        Some(path) => write_file(path, render),
    }
}

/// Names standard output in an error that came from writing to it without saying so (a bare
/// `io::Error`); an error that already says what it was doing is left as it is.
pub fn name_standard_output(e: anyhow::Error) -> anyhow::Error {
    if e.chain().count() == 1 && e.is::<io::Error>() {
        e.context(WRITING_STDOUT)
    } else {
        e
    }
}

/// Writes `text` to standard error. Errors are ignored: with standard error gone (closed, or
/// a full disk) there is nowhere left to report them, and a warning or a note is not worth
/// stopping for. (`eprintln!` would panic instead.)
pub fn to_stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}").and_then(|_| err.flush());
}

/// Refuses, before any work is done, a FILE that [`write_to`] could not write: a folder, a
/// read-only file, or a file in a folder that does not exist or cannot be written to (tried
/// with a temporary file, removed at once).
pub fn check_writable(path: &Path) -> Result<()> {
    if let Destination::Replace { dir, .. } = destination(path)? {
        Temporary::new(&dir, None).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Where the bytes for FILE go, once links are followed and FILE is checked.
enum Destination {
    /// A device or a pipe (/dev/stdout, /dev/null, a FIFO): it cannot be replaced by
    /// renaming, and must not be, so it is written into directly.
    Device(PathBuf),
    /// A plain file (or none yet): written to a temporary file in `dir`, renamed to `target`.
    Replace {
        target: PathBuf,
        dir: PathBuf,
        existing: Option<Metadata>,
    },
}

fn destination(path: &Path) -> Result<Destination> {
    let shown = path.display();
    let target = resolve_links(path).with_context(|| format!("cannot write {shown}"))?;
    if target.is_dir() {
        bail!("cannot write {shown}: it is a directory");
    }
    let existing = fs::metadata(&target).ok();
    if existing.as_ref().is_some_and(|m| !m.is_file()) {
        return Ok(Destination::Device(target));
    }
    if let Some(meta) = &existing
        && is_read_only(&target, meta)
    {
        bail!(
            "cannot write {shown}: it is read-only, and -o replaces only a file you could write \
             (make it writable, e.g. chmod u+w, or choose another FILE)"
        );
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {shown}: the folder {} does not exist",
            dir.display()
        );
    }
    Ok(Destination::Replace {
        target,
        dir,
        existing,
    })
}

/// A temporary file in `dir`. It is private (0600) by default; the file it becomes should get
/// the ordinary permissions a new file gets (0666 less the umask), or keep FILE's own.
fn temporary_file(dir: &Path, existing: Option<&Metadata>) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".backprop-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = existing.map_or(0o666, |m| m.permissions().mode());
        builder.permissions(fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = existing;
    builder.tempfile_in(dir).map_err(without_temporary_path)
}

fn write_file(path: &Path, render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let shown = path.display();
    let (target, dir, existing) = match destination(path)? {
        Destination::Device(target) => {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .with_context(|| format!("cannot write {shown}"))?;
            let mut out = BufWriter::new(file);
            return render(&mut out)
                .and_then(|_| out.flush())
                .with_context(|| format!("cannot write {shown}"));
        }
        Destination::Replace {
            target,
            dir,
            existing,
        } => (target, dir, existing),
    };
    let temp =
        Temporary::new(&dir, existing.as_ref()).with_context(|| format!("cannot write {shown}"))?;
    // Written through the plain file: the temporary file's own writer names its path in its
    // errors, and the user asked for FILE, not for it.
    let mut out = BufWriter::new(temp.as_file());
    render(&mut out)
        .and_then(|_| out.flush())
        .with_context(|| format!("cannot write {shown}"))?;
    drop(out);
    temp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {shown}"))?;
    temp.persist(&target)
        .with_context(|| format!("cannot write {shown}"))?;
    Ok(())
}

/// The temporary files that exist now. Every change to whether one exists (made, renamed to
/// FILE, removed) is made holding this lock, so that an interruption, which takes it too,
/// finds each either registered or gone: none is made unseen or left behind.
static TEMPORARY_FILES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temporary_files() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY_FILES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Removes every temporary file there is, for an interruption on its way out. The registry
/// stays locked, so that none is made or renamed to FILE before the process ends.
pub fn remove_temporary_files() {
    let files = temporary_files();
    for path in files.iter() {
        // Nothing to be done about one that cannot be removed: the program is ending.
        let _ = fs::remove_file(path);
    }
    std::mem::forget(files);
}

/// A temporary file, registered for as long as it exists.
struct Temporary {
    file: fs::File,
    /// Taken only on the way out, by `persist` or `drop`.
    path: Option<tempfile::TempPath>,
}

impl Temporary {
    fn new(dir: &Path, existing: Option<&Metadata>) -> io::Result<Temporary> {
        let mut files = temporary_files();
        let (file, path) = temporary_file(dir, existing)?.into_parts();
        files.push(path.to_path_buf());
        Ok(Temporary {
            file,
            path: Some(path),
        })
    }

    fn as_file(&self) -> &fs::File {
        &self.file
    }

    /// Renames the file to `target`, or (if it cannot be) removes it.
    fn persist(mut self, target: &Path) -> io::Result<()> {
        let mut files = temporary_files();
        let Some(path) = self.path.take() else {
            return Ok(());
        };
        let registered = path.to_path_buf();
        let persisted = path.persist(target).map_err(|e| {
            let _ = e.path.close();
            without_temporary_path(e.error)
        });
        files.retain(|p| *p != registered);
        persisted
    }
}

impl Drop for Temporary {
    /// Removes the file: the output failed, or it was only a check that FILE's folder can
    /// be written to.
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let mut files = temporary_files();
            let registered = path.to_path_buf();
            let _ = path.close();
            files.retain(|p| *p != registered);
        }
    }
}

/// The file `path` names once every symbolic link is followed: renaming over a link would
/// replace the link itself with a plain file. A link to a file not yet there gives that
/// file's path, to be created.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    // As Linux's limit on links followed in one lookup (ELOOP).
    const MAX_LINKS: usize = 40;
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                // A relative link is relative to the folder holding it.
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Whether FILE is one the user could not write in place, and so must not be replaced.
///
/// The rule: a file is read-only when its mode has no write bit for anyone (what `chmod a-w`
/// leaves), or when the system refuses to open it for writing (the permission check for
/// this user, ACLs included). The first matters for root, who may open anything: renaming
/// over a file ignores its mode, and `chmod a-w` is how a user says "do not overwrite this".
fn is_read_only(path: &Path, meta: &Metadata) -> bool {
    #[cfg(unix)]
    let no_write_bit = {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o222 == 0
    };
    #[cfg(not(unix))]
    let no_write_bit = meta.permissions().readonly();
    // Opened without truncating: nothing is written.
    let refused = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .is_err_and(|e| e.kind() == io::ErrorKind::PermissionDenied);
    no_write_bit || refused
}

/// tempfile names its temporary file in its errors ("at path /dir/.backprop-x1y2.tmp"); the
/// user never asked for that file, so the message keeps only the reason.
fn without_temporary_path(e: io::Error) -> io::Error {
    let reason = e
        .get_ref()
        .and_then(|inner| inner.source())
        .and_then(|source| source.downcast_ref::<io::Error>())
        .and_then(io::Error::raw_os_error);
    match reason.or(e.raw_os_error()) {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.kind().to_string()),
    }
}

/// Whether standard output is a terminal (colour and table width follow it).
pub fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}
