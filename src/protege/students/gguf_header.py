"""One string from a GGUF file's header, read without loading the model or its vocabulary.

A GGUF file opens with its metadata: a count of key-value pairs, then each key, its type and its
value; arrays (the vocabulary, the merges) are counted lists of values. To find one key we walk
the pairs and step over every value, strings by their length. gguf's own reader builds a Python
object for every vocabulary entry and llama.cpp prints its whole loading log; this reads the
150k-word vocabulary of Qwen in a fraction of a second and says nothing.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

from protege.students.base import BaseModelError

_MAGIC = b"GGUF"
_STRING, _ARRAY = 8, 9
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}  # type -> bytes


def string_field(path: Path, key: str) -> str | None:
    """The string stored under ``key`` in the header of the GGUF file at ``path``, or None when
    the header has no such key. A file that is not a GGUF file, or whose header ends early or
    holds an unknown value type, raises :class:`BaseModelError` saying so."""
    wanted = key.encode()
    with open(path, "rb", buffering=1 << 20) as fh:
        try:
            if fh.read(4) != _MAGIC:
                raise BaseModelError(f"{path} is not a GGUF file; re-install or re-export the model")
            version, _tensors, pairs = struct.unpack("<IQQ", _exactly(fh, 20))
            if version < 2:
                raise BaseModelError(f"{path} is GGUF version {version}; only version 2 and later are read")
            for _ in range(pairs):
                name = _exactly(fh, _count(fh))
                kind = struct.unpack("<I", _exactly(fh, 4))[0]
                if name == wanted:
                    return _exactly(fh, _count(fh)).decode() if kind == _STRING else None
                _skip(fh, kind)
        except (struct.error, UnicodeDecodeError) as err:
            raise BaseModelError(f"{path} has a damaged GGUF header ({err}); re-install or re-export it") from err
    return None


def _count(fh: BinaryIO) -> int:
    return struct.unpack("<Q", _exactly(fh, 8))[0]


def _exactly(fh: BinaryIO, n: int) -> bytes:
    data = fh.read(n)
    if len(data) != n:
        raise struct.error(f"the header ends {n - len(data)} bytes early")
    return data


def _skip(fh: BinaryIO, kind: int) -> None:
    if kind in _FIXED:
        _exactly(fh, _FIXED[kind])
    elif kind == _STRING:
        fh.seek(_count(fh), 1)
    elif kind == _ARRAY:
        inner = struct.unpack("<I", _exactly(fh, 4))[0]
        n = _count(fh)
        if inner in _FIXED:
            fh.seek(n * _FIXED[inner], 1)
        else:
            for _ in range(n):
                _skip(fh, inner)
    else:
        raise struct.error(f"unknown value type {kind}")
