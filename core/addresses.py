"""One form for an email address, and one key to match it by (docs/privacy-design.md).

An address is normalised once, where it comes in (a form, the admin, a command):

- the domain is put in Unicode NFC, lower-cased and IDNA 2008-encoded (its A-label
  form, `xn--…`), which is the name DNS knows it by. Python's own "idna" codec, which
  Django uses when it writes a message's recipients, is IDNA 2003: it would send mail
  for `straße.de` to `strasse.de`, another domain. A domain IDNA 2008 refuses (with
  `ſ`, `_`, a symbol…) is refused. (NFC makes a Kelvin sign in a domain the letter K:
  they are canonically the same character, and DNS knows only the letter.);
- the local part is kept exactly as typed.

The key that every lookup compares, by plain equality, is that form with the ASCII letters
of the local part lower-cased. RFC 5321 lets a mail server tell `Dana` from `dana`, but
none in common use does, and WordPress matches addresses without regard to case; two rows
for one reader would let an erasure miss half of their comments. Nothing beyond ASCII is
folded: Unicode case rules (and the databases' UPPER() and LOWER()) turn `ı`, `ſ`, `İ`
and the Kelvin sign into ASCII letters, so `dana@maıl.example.org` would find the
comments of `dana@mail.example.org`, a different mailbox. NFC is not applied to the
local part for the same reason: of the non-ASCII letters Django's validator lets into a
local part (`İ ı ſ K`, which its case-insensitive pattern admits), NFC changes only the
Kelvin sign, into the Latin `K`.
"""

import unicodedata

import idna
from django import forms
from django.core.exceptions import ValidationError

# An A-label domain is at most 253 characters (idna checks), a local part at most 64.
EMAIL_KEY_MAX_LENGTH = 320
DOMAIN_INVALID = (
    "The part after the @ is not a valid domain name. Please check it (an address in "
    "another script is welcome; look-alike characters such as “ſ” are not)."
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class InvalidDomain(ValueError):
    """The domain is not a name IDNA 2008 allows."""


def domain_form(domain: str) -> str:
    """The domain as DNS knows it: NFC, lower-cased, IDNA 2008 A-labels, no final dot.

    Raises InvalidDomain. An address literal (`[192.0.2.1]`) is only lower-cased.
    """
    domain = unicodedata.normalize("NFC", domain.strip()).lower().removesuffix(".")
    if domain.startswith("[") and domain.endswith("]"):
        return domain
    try:
        return idna.encode(domain, uts46=False).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise InvalidDomain(domain) from error


def normalize_email(address: str) -> str:
    """The form an address is stored and written to in: its domain as `domain_form`.

    Raises InvalidDomain; a string without an @ is returned trimmed (the validators
    refuse it).
    """
    local, at, domain = address.strip().rpartition("@")
    if not at:
        return address.strip()
    return f"{local}@{domain_form(domain)}"


def email_key(address: str) -> str:
    """What two addresses are compared by: the stored form, ASCII letters of the local
    part lower-cased (see the module's docstring). Never raises: a domain IDNA 2008
    refuses (one stored before it was checked) keeps its own characters, lower-cased,
    so it still matches itself and nothing else."""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.translate(_ASCII_LOWER)
    try:
        domain = domain_form(domain)
    except InvalidDomain:
        domain = unicodedata.normalize("NFC", domain).lower()
    return f"{local.translate(_ASCII_LOWER)}@{domain}"


class EmailAddressField(forms.EmailField):
    """Django's EmailField, whose clean value is the normalised form (`normalize_email`).

    An IDNA-invalid domain gets `DOMAIN_INVALID` (error code "domain"); `max_length`
    holds for the normalised form too, which an A-label makes longer than what was typed.
    """

    default_error_messages = {"domain": DOMAIN_INVALID}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            value = normalize_email(value)
        except InvalidDomain:
            raise ValidationError(self.error_messages["domain"], code="domain") from None
        self.run_validators(value)  # the length, of the form stored
        return value
