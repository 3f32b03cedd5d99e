"""Addresses that look alike but are different mailboxes, for the tests of every app.

Each pair is (someone, a look-alike that a database's UPPER() or LOWER(), or Unicode
case folding, would take for them). They must never find each other's data.
"""

import pytest

LOOKALIKES = [
    pytest.param("dana@mail.example.org", "dana@maıl.example.org", id="dotless-i-in-domain"),
    pytest.param("dana@mail.example.org", "dana@maİl.example.org", id="dotted-capital-I-in-domain"),
    pytest.param("kate@example.org", "\u212aate@example.org", id="kelvin-sign"),
    pytest.param("sam@example.org", "ſam@example.org", id="long-s"),
    pytest.param("irem@example.org", "İrem@example.org", id="dotted-capital-I"),
]

# One person, however the address is typed: ASCII case, and a domain in Unicode or as
# its IDNA A-label.
SAME_PERSON = [
    pytest.param("dana@mail.example.org", "DANA@Mail.Example.ORG", id="ascii-case"),
    pytest.param("jo@bücher.example", "jo@xn--bcher-kva.example", id="u-label-and-a-label"),
    pytest.param("jo@bücher.example", "jo@BÜCHER.example", id="unicode-domain-case"),
]
