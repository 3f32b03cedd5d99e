"""The address a poster is sent to after posting, which shows them their comment while
it awaits moderation: the article at `?unapproved=<id>&moderation-hash=<hash>`, as
WordPress does it.

Only the poster has that address: the hash is an HMAC, keyed by SECRET_KEY, of the
comment's id and the instant it was posted, which nobody else can compute. It shows the
comment for LINK_LIFETIME after posting, WordPress's ten minutes: enough to read the
answer and reload, and short enough that a link that travels (pasted in a chat, kept in
a history) soon shows nothing more than the article does. A spammer holding a link to
their own held comment cannot publish it that way for longer than that either.

The page at that address is not shared: the page cache keeps nothing with a query string.
A hash that is forged, altered, expired or made for another comment shows nothing extra.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode

LINK_LIFETIME = timedelta(minutes=10)
ID_PARAMETER = "unapproved"
HASH_PARAMETER = "moderation-hash"
_SALT = "comments.moderation-hash"
_ID = re.compile(r"[0-9]{1,18}")
_HASH = re.compile(r"[0-9a-f]{64}")


def moderation_hash(comment_id: int, created_at: datetime) -> str:
    message = f"{comment_id}:{created_at.astimezone(UTC).isoformat()}"
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()


def poster_url(comment) -> str:
    """The article's address that shows `comment` to its poster, at the comment."""
    query = urlencode(
        {ID_PARAMETER: comment.pk, HASH_PARAMETER: moderation_hash(comment.pk, comment.created_at)}
    )
    return f"{comment.article.get_absolute_url()}?{query}#{comment.anchor}"


@dataclass(frozen=True)
class Claim:
    """A request's claim to see one held comment: the id and hash it carries."""

    comment_id: int
    hash: str

    @classmethod
    def from_query(cls, query: QueryDict) -> "Claim | None":
        """The claim in a query string, or None when it has none that could be valid."""
        comment_id, given = query.get(ID_PARAMETER, ""), query.get(HASH_PARAMETER, "")
        if _ID.fullmatch(comment_id) and _HASH.fullmatch(given):
            return cls(int(comment_id), given)
        return None

    def admits(self, comment_id: int, created_at: datetime) -> bool:
        """Whether this claim shows the comment `comment_id` posted at `created_at`."""
        if comment_id != self.comment_id:
            return False
        if timezone.now() - created_at > LINK_LIFETIME:
            return False
        return constant_time_compare(moderation_hash(comment_id, created_at), self.hash)
