"""Bounded, streaming decoding of an HTTP body's ``Content-Encoding`` layers.

``Content-Encoding: gzip, gzip`` means the body was gzipped twice: the last coding listed is undone first. A
:class:`BoundedDecoder` undoes the layers one after the other, streaming: every ``zlib`` call is asked for at most
:data:`STEP` bytes (``max_length``), the piece goes down to the next layer before more is asked for, and each layer's
output (the final body included) is counted against the cap. So a few kilobytes that inflate to gigabytes through
two or more layers stop at the cap having held at most about ``STEP`` bytes per layer, never the whole expansion
of one received chunk (which is what decoding each chunk through every layer at once does).

Codings: ``gzip`` / ``x-gzip`` (concatenated members are read one after the other), ``deflate`` (zlib-wrapped, or
raw deflate as some servers send it) and ``identity``; an unknown coding is passed through unchanged, as httpx does.
At most :data:`MAX_LAYERS` decoding layers are accepted.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

STEP = 64 * 1024
"""The most output one ``zlib`` call may produce, per layer."""
MAX_LAYERS = 4
"""More compression layers than this is refused: no server needs them, only a bomb does."""
GZIP_MAGIC = b"\x1f\x8b"


class BodyTooLarge(Exception):
    """More than the cap: ``stage`` 0 is the bytes received, ``i`` the output of the ``i``-th layer undone (the
    last stage is the decoded body)."""

    def __init__(self, stage: int) -> None:
        super().__init__(f"stage {stage} exceeds the cap")
        self.stage = stage


class BadEncoding(Exception):
    """The body cannot be decoded as its ``Content-Encoding`` says (corrupt data, or too many layers)."""


def codings(header: str | None) -> list[str]:
    """The decoding layers of a ``Content-Encoding`` value, in the order they must be undone (last listed first);
    ``identity`` and unknown codings are left out. Raises :class:`BadEncoding` beyond :data:`MAX_LAYERS`."""
    listed = [token.strip().lower() for token in (header or "").split(",")]
    known = [token for token in listed if token in ("gzip", "x-gzip", "deflate")]
    if len(known) > MAX_LAYERS:
        raise BadEncoding(f"too many content encodings ({len(known)} layers; at most {MAX_LAYERS})")
    return [("deflate" if token == "deflate" else "gzip") for token in reversed(known)]


class _Layer:
    """One coding undone incrementally, producing pieces of at most :data:`STEP` bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._raw_fallback = coding == "deflate"  # "deflate" is zlib-wrapped by the RFC, raw by some servers
        self._started = False
        self._done = False
        self._obj = self._new()

    def _new(self) -> zlib._Decompress:
        return zlib.decompressobj(zlib.MAX_WBITS | 16 if self.coding == "gzip" else zlib.MAX_WBITS)

    def _decompress(self, data: bytes) -> bytes:
        try:
            out = self._obj.decompress(data, STEP)
        except zlib.error:
            if not (self._raw_fallback and not self._started):
                raise
            self._raw_fallback = False
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, STEP)
        self._started = True
        return out

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data`` (the next bytes of this layer's input), a bounded piece at a time."""
        while data and not self._done:
            out = self._decompress(data)
            data = self._obj.unconsumed_tail
            if out:
                yield out
            while len(out) == STEP and not data and not self._obj.eof:  # output still pending inside zlib
                out = self._obj.decompress(b"", STEP)
                if out:
                    yield out
            if self._obj.eof:
                rest = self._obj.unused_data
                if self.coding == "gzip" and rest.startswith(GZIP_MAGIC):
                    self._obj, data = self._new(), rest  # the next member of a multi-member gzip body
                else:
                    # trailing bytes after the stream are ignored (as httpx and browsers do)
                    self._done = True

    def finish(self) -> Iterator[bytes]:
        """Whatever the layer still holds once its input has ended."""
        if self._done:
            return
        while True:
            out = self._obj.decompress(b"", STEP)
            if not out:
                break
            yield out
        tail = self._obj.flush()
        if tail:
            yield tail


class BoundedDecoder:
    """Undo the codings of a ``Content-Encoding`` header on a body fed chunk by chunk, capping every layer.

    :meth:`feed` and :meth:`finish` yield the decoded body in pieces; they raise :class:`BodyTooLarge` as soon as
    the bytes received, any intermediate layer or the decoded body exceed ``cap``, and :class:`BadEncoding` for
    corrupt data. Memory held at any time is about :data:`STEP` bytes per layer plus one received chunk.
    """

    def __init__(self, content_encoding: str | None, cap: int) -> None:
        self.codings = codings(content_encoding)
        self.cap = cap
        self._layers = [_Layer(c) for c in self.codings]
        self._counts = [0] * (len(self._layers) + 1)  # bytes received, then the output of each layer

    def _count(self, stage: int, n: int) -> None:
        self._counts[stage] += n
        if self._counts[stage] > self.cap:
            raise BodyTooLarge(stage)

    def _decode(self, stage: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        """The output of layer ``stage`` (``pieces``), counted, and passed down through the later layers one piece
        at a time (the next piece is only decoded once this one went all the way down)."""
        while True:
            try:
                piece = next(pieces)
            except StopIteration:
                return
            except zlib.error as exc:
                raise BadEncoding(f"cannot decompress the body ({self.codings[stage]}: {exc})") from None
            self._count(stage + 1, len(piece))
            yield from self._down(stage + 1, piece)

    def _down(self, stage: int, data: bytes) -> Iterator[bytes]:
        """``data`` (the input of layer ``stage``) decoded through that layer and every later one."""
        if stage == len(self._layers):
            yield data
        else:
            yield from self._decode(stage, self._layers[stage].feed(data))

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """Decode the next received ``chunk``."""
        self._count(0, len(chunk))
        yield from self._down(0, chunk)

    def finish(self) -> Iterator[bytes]:
        """The rest of the body once everything was received: each layer's remainder, through the later layers."""
        for stage, layer in enumerate(self._layers):
            yield from self._decode(stage, layer.finish())
