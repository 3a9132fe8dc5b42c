"""Where ciphertext lies: the ``documents`` storage of ``STORAGES`` (the file system under
``ANTT_DOCUMENTS_ROOT`` by default; an S3-compatible store by configuring django-storages there)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages

from antt.documents import crypto


def store() -> Storage:
    return storages["documents"]


@dataclass(frozen=True)
class Sealed:
    storage_name: str
    key_id: str
    wrapped_key: bytes
    size: int
    sha256: str


def seal(chunks: Iterable[bytes], *, uid: bytes, name: str, max_size: int) -> Sealed:
    """Encrypt ``chunks`` to a temporary file, then hand it to the storage. The plaintext never touches the
    disk. ``max_size`` is checked while reading: an oversize upload stops half way and leaves nothing."""
    data_key = os.urandom(32)
    key_id, wrapped = crypto.wrap(data_key, uid)
    digest = hashlib.sha256()
    size = 0

    def counted() -> Iterator[bytes]:
        nonlocal size
        for piece in chunks:
            size += len(piece)
            if size > max_size:
                raise OversizeError(size)
            digest.update(piece)
            yield piece

    with tempfile.TemporaryFile() as spool:
        for sealed in crypto.encrypt_stream(counted(), data_key, uid):
            spool.write(sealed)
        spool.seek(0)
        stored = store().save(name, File(spool, name=name))
    return Sealed(stored, key_id, wrapped, size, digest.hexdigest())


class OversizeError(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def open_plain(*, storage_name: str, key_id: str, wrapped_key: bytes, uid: bytes, size: int) -> IO[bytes]:
    """A seekable plaintext file over the stored ciphertext (nothing decrypted until read)."""
    data_key = crypto.unwrap(key_id, wrapped_key, uid)
    raw = store().open(storage_name, "rb")
    # Its read(n) returns n bytes (or the rest), across chunk boundaries, as parsers expect.
    return crypto.DecryptingReader(raw, data_key, uid, size)  # type: ignore[arg-type, return-value]


def scratch(write: Callable[[Any], None]) -> IO[bytes]:
    """What ``write(out)`` writes, kept in an anonymous temporary file encrypted with a key that lives only in
    this process (a marked copy is plaintext: it must not lie on the disk readable). Returns a seekable
    plaintext reader over it, rewound; closing it removes the file."""
    data_key, uid = os.urandom(32), os.urandom(16)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the returned reader owns and closes it
    try:
        sealing = crypto.SealingWriter(spool, data_key, uid)
        write(sealing)
        size = sealing.finish()
        spool.flush()
        return crypto.DecryptingReader(spool, data_key, uid, size)  # type: ignore[return-value]
    except BaseException:
        spool.close()
        raise


def delete(storage_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        store().delete(storage_name)
