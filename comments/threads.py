"""A comment thread: read in one query, built into nested replies, shown by templates
(templates/comments/_thread.html)."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from comments.models import Comment
from comments.moderation_hash import Claim

# How long the thread's {% cache %} fragment is kept. Its key changes with every change
# readers could see (the article's comment version, the settings that shape the thread,
# whether replies are open, the article's address and title), so this only bounds what
# no key follows: markup of an older deploy, the site's time zone changed in settings,
# and memory held by fragments of superseded versions. A day: an untouched thread costs
# one render a day, and nothing about a thread depends on the time of day.
CACHE_SECONDS = 24 * 3600


@dataclass(slots=True)
class ThreadComment:
    """What a thread shows of a comment.

    Read as plain rows rather than model instances: making 200 `Comment` objects cost
    more than the query.
    """

    pk: int
    parent_id: int | None
    author_name: str
    author_url: str
    created_at: datetime
    body_html: str  # cleaned when the comment was saved
    is_approved: bool
    is_by_editor: bool = False
    thread_depth: int = 1
    replies: list["ThreadComment"] = field(default_factory=list)
    # In reading order (Thread.in_reading_order): how many lists of replies end with
    # this comment, the last shown under each of its ancestors that many levels up.
    lists_ending: int = 0

    @property
    def ending_lists(self) -> range:
        return range(self.lists_ending)


def thread_comments(article, *, held: Claim | None = None) -> list[ThreadComment]:
    """The approved comments under `article`, oldest first, and the held comment that
    `held` shows to its poster, if it is theirs (see moderation_hash)."""
    own_ids = [held.comment_id] if held else []
    rows = Comment.objects.for_thread(article, own_ids=own_ids).values_list(
        "pk",
        "parent_id",
        "author_name",
        "author_url",
        "created_at",
        "body_html",
        "status",
        "is_by_editor",
    )
    approved = Comment.Status.APPROVED
    comments = [
        ThreadComment(*row[:6], is_approved=row[6] == approved, is_by_editor=row[7]) for row in rows
    ]
    return [
        comment
        for comment in comments
        if comment.is_approved or (held and held.admits(comment.pk, comment.created_at))
    ]


def build_thread(comments: list[ThreadComment], *, max_depth: int) -> list[ThreadComment]:
    """The top-level comments of `comments` (oldest first), each with its `replies`, and
    `thread_depth` set on every comment (1 = top level).

    Replies follow their parent, oldest first. A reply whose parent is not shown (held,
    trashed, deleted) stands at the top level rather than vanishing. At the deepest level
    replies are not nested further but follow their parent in its list, as WordPress
    shows them (also those made deeper while the setting was higher).
    """
    shown = {comment.pk for comment in comments}
    children: dict[int | None, list[ThreadComment]] = {}
    for comment in comments:
        parent_id = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(parent_id, []).append(comment)

    top_level: list[ThreadComment] = []
    # Depth first, without recursion: a long chain at the deepest level stays flat.
    stack = [(comment, 1, top_level) for comment in reversed(children.get(None, []))]
    while stack:
        comment, level, siblings = stack.pop()
        comment.thread_depth = level
        siblings.append(comment)
        below = (level + 1, comment.replies) if level < max_depth else (level, siblings)
        stack.extend((reply, *below) for reply in reversed(children.get(comment.pk, [])))
    return top_level


class Thread:
    """The comments one page shows under an article, read when first asked for: a page
    whose thread comes from the cache never reads them."""

    def __init__(self, article, *, max_depth: int, held: Claim | None = None):
        self.article = article
        self.max_depth = max_depth
        self.held = held

    @cached_property
    def comments(self) -> list[ThreadComment]:
        return thread_comments(self.article, held=self.held)

    @cached_property
    def top_level(self) -> list[ThreadComment]:
        return build_thread(self.comments, max_depth=self.max_depth)

    @cached_property
    def in_reading_order(self) -> list[ThreadComment]:
        """Every comment in the order a reader meets it, each knowing how many lists of
        replies close after it: the template writes the nested lists in one loop, at a
        fraction of the cost of including itself once per comment."""
        ordered: list[ThreadComment] = []
        stack = [(comment, 0) for comment in reversed(self.top_level)]
        while stack:
            comment, lists_ending = stack.pop()
            ordered.append(comment)
            if comment.replies:
                *earlier, last = comment.replies
                stack.append((last, lists_ending + 1))
                stack.extend((reply, 0) for reply in reversed(earlier))
                comment.lists_ending = 0
            else:
                comment.lists_ending = lists_ending
        return ordered

    @cached_property
    def approved_count(self) -> int:
        return sum(comment.is_approved for comment in self.comments)

    def approved(self, pk: int | None) -> ThreadComment | None:
        """The approved comment `pk` of this thread, if there is one."""
        return next((c for c in self.comments if c.pk == pk and c.is_approved), None)
