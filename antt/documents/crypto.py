"""Envelope encryption of document files: a fresh data key per file, wrapped by a master key.

The file is cut into 64 KiB chunks, each sealed with AES-256-GCM under the data key; the nonce is the file's
random 8-byte prefix and the chunk's index, and the associated data binds the version's id, the index and
whether it is the last chunk, so chunks cannot be reordered, swapped between files or the file truncated.
Any chunk can be opened alone, so a reader may seek (PDF parsers read a file out of order) without holding the
whole file.

Master keys come from ``ANTT_DOCUMENTS_KEYS`` ("id:base64key,id:base64key", the first one current; or the
file named by ``ANTT_DOCUMENTS_KEYS_FILE``). Rotating the master key re-wraps each data key
(``antt documents rotate-keys``); the files are not re-encrypted. Destroying a document forgets its data keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"ANTTDOC1"
CHUNK = 64 * 1024
TAG = 16
CACHED_CHUNKS = 8
HEADER = len(MAGIC) + 8  # magic ‖ nonce prefix


class DecryptionError(Exception):
    """The ciphertext or its key is not what was written (tampering, a wrong key, a destroyed document)."""


@dataclass(frozen=True)
class MasterKeys:
    current_id: str
    keys: dict[str, bytes]

    def get(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"master key {key_id!r} is not configured") from None


def _parse(pairs: Iterable[tuple[str, str]]) -> MasterKeys:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for key_id, encoded in pairs:
        raw = base64.b64decode(encoded.strip(), validate=True)
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"documents master key {key_id!r} must be 32 bytes (base64 of 32 bytes)"
            )
        keys[key_id.strip()] = raw
        order.append(key_id.strip())
    if not order:
        raise ImproperlyConfigured("no documents master key configured")
    return MasterKeys(order[0], keys)


@cache
def master_keys() -> MasterKeys:
    spec = getattr(settings, "ANTT_DOCUMENTS_KEYS", "") or ""
    pairs = [part.strip() for part in spec.replace("\n", ",").split(",") if part.strip()]
    if pairs:
        try:
            return _parse(tuple(pair.split(":", 1)) for pair in pairs)  # type: ignore[misc,unused-ignore]
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured("ANTT_DOCUMENTS_KEYS: write id:base64key, comma separated") from exc
    if not settings.DEBUG and not getattr(settings, "DEMO", False):
        raise ImproperlyConfigured(
            "Set ANTT_DOCUMENTS_KEYS (or ANTT_DOCUMENTS_KEYS_FILE) to store classified documents: docs/documents.md."
        )
    # Development, tests and the demo only: a key derived from the secret key.
    derived = hmac.new(settings.SECRET_KEY.encode(), b"antt-documents-dev-key", hashlib.sha256).digest()
    return MasterKeys("dev", {"dev": derived})


def generate_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


def _wrap_aad(uid: bytes) -> bytes:
    return b"antt-doc-key:" + uid


def wrap(data_key: bytes, uid: bytes, keys: MasterKeys | None = None) -> tuple[str, bytes]:
    keys = keys or master_keys()
    nonce = os.urandom(12)
    return keys.current_id, nonce + AESGCM(keys.get(keys.current_id)).encrypt(nonce, data_key, _wrap_aad(uid))


def unwrap(key_id: str, wrapped: bytes, uid: bytes, keys: MasterKeys | None = None) -> bytes:
    keys = keys or master_keys()
    if not wrapped:
        raise DecryptionError("the data key was destroyed")
    try:
        return AESGCM(keys.get(key_id)).decrypt(bytes(wrapped[:12]), bytes(wrapped[12:]), _wrap_aad(uid))
    except InvalidTag as exc:
        raise DecryptionError("the wrapped data key does not open with its master key") from exc


def _chunk_aad(uid: bytes, index: int, last: bool) -> bytes:
    return uid + struct.pack(">IB", index, 1 if last else 0)


class SealingWriter:
    """A write-only file that seals what is written to it into ``raw``: the header, then 64 KiB chunks, the
    last one marked as last by ``finish`` (so a reader can tell a truncated file). Holds one chunk at most."""

    def __init__(self, raw: Any, data_key: bytes, uid: bytes) -> None:
        self._raw = raw
        self._aead = AESGCM(data_key)
        self._uid = uid
        self._prefix = os.urandom(8)
        self._buffer = bytearray()
        self._pending: bytes | None = None
        self._index = 0
        self.size = 0
        raw.write(MAGIC + self._prefix)

    def writable(self) -> bool:
        return True

    def _seal(self, plain: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        self._raw.write(self._aead.encrypt(nonce, plain, _chunk_aad(self._uid, self._index, last)))
        self._index += 1

    def write(self, data: bytes | bytearray | memoryview) -> int:
        self._buffer += data
        self.size += len(data)
        while len(self._buffer) >= CHUNK:  # a full chunk waits: sealed "not last" once more follows
            if self._pending is not None:
                self._seal(self._pending, last=False)
            self._pending = bytes(self._buffer[:CHUNK])
            del self._buffer[:CHUNK]
        return len(data)

    def flush(self) -> None:
        pass

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Only to where it is (writers ask for their position this way): the chunks are sealed in order."""
        target = {io.SEEK_SET: 0, io.SEEK_CUR: self.size, io.SEEK_END: self.size}[whence] + offset
        if target != self.size:
            raise io.UnsupportedOperation("a sealing writer only appends")
        return self.size

    def finish(self) -> int:
        """Seal what is left (the last chunk, possibly empty); returns the plaintext size."""
        if self._pending is not None and self._buffer:
            self._seal(self._pending, last=False)
            self._pending = bytes(self._buffer)
        elif self._pending is None:
            self._pending = bytes(self._buffer)
        self._seal(self._pending, last=True)
        self._pending = None
        self._buffer.clear()
        return self.size


class _Pieces:
    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def write(self, piece: bytes) -> None:
        self.pieces.append(piece)

    def take(self) -> list[bytes]:
        taken, self.pieces = self.pieces, []
        return taken


def encrypt_stream(chunks: Iterable[bytes], data_key: bytes, uid: bytes) -> Iterator[bytes]:
    """Ciphertext pieces for the plaintext ``chunks`` (any sizes): header, then sealed 64 KiB chunks."""
    out = _Pieces()
    writer = SealingWriter(out, data_key, uid)
    for piece in chunks:
        writer.write(piece)
        yield from out.take()
    writer.finish()
    yield from out.take()


class DecryptingReader(io.RawIOBase):
    """A seekable, read-only file over a ciphertext file: opens only the chunks it is asked for."""

    def __init__(self, raw: io.BufferedIOBase | io.RawIOBase, data_key: bytes, uid: bytes, size: int) -> None:
        super().__init__()
        self._raw = raw
        self._aead = AESGCM(data_key)
        self._uid = uid
        self._size = size
        self._pos = 0
        self._cache: dict[int, bytes] = {}
        raw.seek(0)
        header = raw.read(HEADER)
        if len(header) != HEADER or header[: len(MAGIC)] != MAGIC:
            raise DecryptionError("not an ANTT document file")
        self._prefix = header[len(MAGIC) :]
        self._chunks = max(1, -(-size // CHUNK))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _chunk(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        last = index == self._chunks - 1
        self._raw.seek(HEADER + index * (CHUNK + TAG))
        sealed = self._raw.read(CHUNK + TAG)
        try:
            plain = self._aead.decrypt(
                self._prefix + struct.pack(">I", index), sealed, _chunk_aad(self._uid, index, last)
            )
        except InvalidTag as exc:
            raise DecryptionError(f"chunk {index} does not open: the file was altered") from exc
        if len(self._cache) >= CACHED_CHUNKS:  # a few chunks: parsers jump between the end and the body
            self._cache.pop(next(iter(self._cache)))
        self._cache[index] = plain
        return plain

    def read(self, size: int | None = -1) -> bytes:
        """``size`` bytes (fewer only at the end), across chunk boundaries."""
        end = self._size if size is None or size < 0 else min(self._size, self._pos + size)
        pieces = []
        while self._pos < end:
            index, offset = divmod(self._pos, CHUNK)
            piece = self._chunk(index)[offset : offset + (end - self._pos)]
            if not piece:
                raise DecryptionError("the file is shorter than its recorded size")
            pieces.append(piece)
            self._pos += len(piece)
        return b"".join(pieces)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        piece = self.read(len(buffer))
        buffer[: len(piece)] = piece
        return len(piece)

    def close(self) -> None:
        self._raw.close()
        super().close()
