"""A fingerprint of the raw folder's content, for the sensor that starts the raw landing.

The fingerprint is a sha256 over every file's relative path and content hash, so a new, changed,
renamed or deleted file changes it and a touched but unchanged file does not. Hashing every
file on every tick would read the whole corpus each time: a file whose size and modification
time are those of the previous tick keeps its previous hash.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

HASH_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileState:
    size: int
    mtime_ns: int
    sha256: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def scan(folder: Path, previous: dict[str, FileState] | None = None) -> dict[str, FileState]:
    """The state of every non-hidden file below `folder` (the files the landing looks at),
    keyed by posix path relative to the folder. Symbolic links count by their target text."""
    previous = previous or {}
    states: dict[str, FileState] = {}
    for directory, subdirs, files in os.walk(folder, followlinks=False):
        # Hidden folders (.git, editor caches) are not data: the landing skips them too.
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(directory) / name
            rel = path.relative_to(folder).as_posix()
            try:
                stat = path.lstat()
                if path.is_symlink():
                    digest = hashlib.sha256(os.readlink(path).encode()).hexdigest()
                else:
                    known = previous.get(rel)
                    if known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                        digest = known.sha256
                    else:
                        digest = _sha256(path)
            except OSError:
                # Vanished or unreadable between listing and reading: the landing reports it.
                continue
            states[rel] = FileState(stat.st_size, stat.st_mtime_ns, digest)
    return states


def fingerprint(states: dict[str, FileState]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(states):
        digest.update(f"{rel}\0{states[rel].sha256}\n".encode())
    return digest.hexdigest()


def changed_paths(before: dict[str, FileState], after: dict[str, FileState]) -> list[str]:
    """Paths added, changed or removed between two scans."""
    return sorted(
        rel
        for rel in before.keys() | after.keys()
        if rel not in before or rel not in after or before[rel].sha256 != after[rel].sha256
    )


def encode(states: dict[str, FileState]) -> dict[str, list]:
    return {rel: [s.size, s.mtime_ns, s.sha256] for rel, s in states.items()}


def decode(data: dict[str, list]) -> dict[str, FileState]:
    return {rel: FileState(int(size), int(mtime), sha) for rel, (size, mtime, sha) in data.items()}
