"""Pages gzipped once with holes decode, in every shape, to the page with the values in."""

import gzip
import random
import zlib

from core.gzipparts import _x8nmodp, compress, crc32_combine, gzip_join, plain_join


def _expected(parts, values):
    values = iter(values)
    return b"".join(part if isinstance(part, bytes) else next(values) for part in parts)


def test_crc32_combine_matches_zlib():
    first, second = b"first stretch " * 100, b"second" * 37
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), _x8nmodp(len(second)))
    assert combined == zlib.crc32(first + second)


def test_spliced_gzip_decodes_to_the_page_with_its_values_in_every_shape():
    rng = random.Random(6)
    for _ in range(150):
        parts: list = []
        for _ in range(rng.randint(0, 4)):
            text = rng.choice([b"<p>Comment</p> " * rng.randint(0, 3000), rng.randbytes(500)])
            parts.extend((text, rng.choice([1, 2])))
        parts.append(b"</html>" * rng.randint(0, 50))
        markers = sum(1 for part in parts if not isinstance(part, bytes))
        values = [rng.randbytes(rng.choice([0, 22, 64, 70_000])) for _ in range(markers)]
        stretches = compress(parts)

        zipped = gzip_join(stretches, values)

        assert gzip.decompress(zipped) == _expected(parts, values)
        assert plain_join(stretches, values) == _expected(parts, values)


def test_a_gzipped_page_is_a_single_complete_member():
    stretches = compress([b"<form>", 1, b"</form>"])
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    token = b"t" * 64
    assert decoder.decompress(gzip_join(stretches, [token])) == b"<form>" + token + b"</form>"
    assert decoder.eof and decoder.unused_data == b""
