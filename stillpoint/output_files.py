"""Writing files a person asked for (reply WAVs, exports) without ever destroying or exposing anything.

Four rules, in one place for every writer:
- an output that is the same file as an input (same inode, whatever the path spelling) is refused,
  so `--output me.wav` can never overwrite the recording `--input me.wav` being read;
- a missing folder is an error, never created silently (a typo must not scatter private files);
- the file is owner-only (0600): replies and exports hold the person's voice and words;
- it is written to a hidden temporary file beside the target and renamed into place only when
  complete, so a crash, a full disk or a kill leaves either the old file or the whole new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(Exception):
    """An output path cannot be used; the message says why and what to do."""


def check_output_path(path: str | Path, *, not_same_as: Iterable[str | Path] = ()) -> Path:
    """The output path, after refusing a missing folder, a folder as target, or a file that is an input."""
    path = Path(path).expanduser()
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"The folder {parent} does not exist; create it first, or choose another place for {path.name}.")
    if not parent.is_dir():
        raise OutputError(f"{parent} is not a folder, so {path} cannot be written.")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name for the output.")
    if path.exists():
        for other in not_same_as:
            try:
                if os.path.samefile(path, other):
                    raise OutputError(f"{path} is the same file as {other}; writing there would destroy it. "
                                      "Choose another output name.")
            except FileNotFoundError:
                continue
    return path


class AtomicOutput:
    """A private temporary file that becomes `path` on `commit()`, or vanishes on `discard()` / an error.

    Use as a context manager: leaving the block without `commit()` discards the temporary file.
    """

    def __init__(self, path: str | Path, *, not_same_as: Iterable[str | Path] = ()):
        self.path = check_output_path(path, not_same_as=not_same_as)
        try:
            fd, temp = tempfile.mkstemp(dir=self.path.parent or ".", prefix=f".{self.path.name}.", suffix=".partial")
        except OSError as error:
            raise OutputError(f"Cannot write in {self.path.parent}: {error.strerror}.") from None
        os.close(fd)  # mkstemp makes it 0600
        self.temp = Path(temp)
        self.committed = False

    def commit(self) -> Path:
        with open(self.temp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(self.temp, self.path)
        _fsync_dir(self.path.parent)
        self.committed = True
        return self.path

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, *exc) -> None:
        if not self.committed:
            self.discard()


def write_text_private(path: str | Path, text: str, *, not_same_as: Iterable[str | Path] = ()) -> Path:
    """Write `text` (UTF-8) owner-only and atomically."""
    with AtomicOutput(path, not_same_as=not_same_as) as out:
        out.temp.write_text(text, encoding="utf-8")
        return out.commit()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
