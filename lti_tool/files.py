"""Files that hold people's records or the tool's secrets: created readable by their owner only.

A file is written to a temporary name in its own folder (created 0600, never an existing path)
and renamed over the target, so a reader sees the old or the new content, never half of it; the
rename replaces a symbolic link planted at the target instead of writing through it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_DIR_MODE = 0o700


class UnsafePath(Exception):
    """A folder the tool would write into is not a plain folder (a symbolic link could lead
    anywhere)."""


def private_dir(path: Path) -> Path:
    """`path` as a folder, created owner-only (with its missing parents) when it does not exist."""
    missing = [parent for parent in (path, *path.parents) if not parent.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
    if not path.is_dir():
        raise UnsafePath(f"{path} is not a folder.")
    return path


def private_subdir(parent: Path, name: str) -> Path:
    """A folder the tool names inside one the user chose: a symbolic link planted there is
    refused rather than followed."""
    path = parent / name
    if path.is_symlink():
        raise UnsafePath(f"{path} is a symbolic link; remove it or choose another folder.")
    return private_dir(path)


def write_private(path: Path, content: str | bytes) -> None:
    """Replace `path` with `content`, owner-only, atomically (temporary file, then rename)."""
    temporary = _temporary_copy(path, content)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def create_private_once(path: Path, content: str | bytes) -> bool:
    """Create `path` with `content`, owner-only, unless it already exists (then it is left as it
    is and False is returned). Two processes starting at once agree on one file: the complete
    temporary file is linked into place, which fails when another got there first."""
    temporary = _temporary_copy(path, content)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink(missing_ok=True)
    return True


def create_private_empty(path: Path) -> None:
    """An empty owner-only file at `path` unless one exists (a database file before its engine)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _temporary_copy(path: Path, content: str | bytes) -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)
