"""Gzip a page once, with holes for the values that change on every response.

A cached page is compressed when it is stored, not when it is served: each stretch of
fixed bytes is deflated and ended with a full flush, which byte-aligns the stream and
forgets the history, so a later stretch never points back into an earlier one. Serving
splices the per-response values (a CSRF token, a CSP nonce) in between as *stored*
(uncompressed) deflate blocks, and wraps the whole in a gzip header and trailer: one
ordinary gzip member, as RFC 1951/1952 define it, that any browser decodes. The
trailer's CRC-32 is combined from each fixed stretch's CRC (computed at store time) and
the values' own, with zlib's crc32_combine arithmetic, so no fixed byte is read again.

Clients that do not accept gzip get the stretches inflated one by one (each is a
complete raw deflate sequence on its own, thanks to the full flushes).
"""

import struct
import zlib
from typing import NamedTuple

_LEVEL = 6
_POLY = 0xEDB88320  # CRC-32, reflected
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no mtime, OS unknown


def _multmodp(a: int, b: int) -> int:
    """a(x) * b(x) modulo the CRC-32 polynomial (zlib's multmodp)."""
    m = 1 << 31
    p = 0
    while True:
        if a & m:
            p ^= b
            if (a & (m - 1)) == 0:
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _x2n_table() -> list[int]:
    table = [1 << 30]  # x^1
    for _ in range(31):
        table.append(_multmodp(table[-1], table[-1]))
    return table


_X2N = _x2n_table()


def _x8nmodp(n: int) -> int:
    """x^(8n) modulo the polynomial: what appending n bytes does to a CRC."""
    p = 1 << 31  # x^0
    k = 3
    while n:
        if n & 1:
            p = _multmodp(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine(crc1: int, crc2: int, shift: int) -> int:
    """CRC-32 of A+B from crc(A), crc(B) and `shift` = _x8nmodp(len(B))."""
    return _multmodp(shift, crc1) ^ crc2


class Stretch(NamedTuple):
    deflated: bytes  # raw deflate, ending byte-aligned (or with the final block)
    crc: int  # CRC-32 of the inflated bytes
    length: int  # length of the inflated bytes
    shift: int  # _x8nmodp(length)


def compress(parts: list) -> list:
    """`parts` (bytes, then a marker, bytes, ... bytes) with each bytes part deflated."""
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    out: list = []
    last = len(parts) - 1
    for index, part in enumerate(parts):
        if not isinstance(part, bytes):
            out.append(part)
            continue
        mode = zlib.Z_FINISH if index == last else zlib.Z_FULL_FLUSH
        deflated = compressor.compress(part) + compressor.flush(mode)
        out.append(Stretch(deflated, zlib.crc32(part), len(part), _x8nmodp(len(part))))
    return out


def _stored_blocks(value: bytes) -> bytes:
    """`value` as non-final stored deflate blocks (at most 65,535 bytes each)."""
    blocks = []
    for start in range(0, len(value), 0xFFFF):
        chunk = value[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def gzip_join(stretches: list, values) -> bytes:
    """One gzip member: the stretches with each marker replaced by the next of `values`."""
    values = iter(values)
    body = [_GZIP_HEADER]
    crc = 0
    size = 0
    for item in stretches:
        if isinstance(item, Stretch):
            body.append(item.deflated)
            crc = crc32_combine(crc, item.crc, item.shift)
            size += item.length
        else:
            value = next(values)
            body.append(_stored_blocks(value))
            crc = zlib.crc32(value, crc)
            size += len(value)
    body.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(body)


def plain_join(stretches: list, values) -> bytes:
    """The page uncompressed, for a client that does not accept gzip."""
    values = iter(values)
    body = []
    for item in stretches:
        if isinstance(item, Stretch):
            body.append(zlib.decompressobj(-zlib.MAX_WBITS).decompress(item.deflated))
        else:
            body.append(next(values))
    return b"".join(body)
