"""A comment thread, built in Python from one query."""

from dataclasses import dataclass

from comments.models import Comment


@dataclass(slots=True)
class ThreadComment:
    """What a thread shows of a comment (its HTML was rendered when it was saved).

    Read as plain rows rather than model instances: making 200 `Comment` objects cost
    more than the query and the rendering of the thread together.
    """

    pk: int
    parent_id: int | None
    author_name: str
    author_html: str
    date_html: str
    body_html: str
    is_approved: bool
    thread_depth: int = 1


def thread_comments(article, *, own_ids=()) -> list[ThreadComment]:
    """The comments one browser sees under `article`, oldest first (see `for_thread`)."""
    rows = Comment.objects.for_thread(article, own_ids=own_ids).values_list(
        "pk", "parent_id", "author_name", "author_html", "date_html", "body_html", "status"
    )
    approved = Comment.Status.APPROVED
    return [ThreadComment(*row[:6], is_approved=row[6] == approved) for row in rows]


def build_thread(comments: list[ThreadComment], *, max_depth: int) -> list[ThreadComment]:
    """`comments` (oldest first) in reading order, each with `thread_depth` set (1 = top).

    Replies follow their parent, oldest first. A reply whose parent is not shown (held,
    trashed, deleted) stands at the top level rather than vanishing; one deeper than the
    thread allows (the setting was lowered) is shown at the deepest level.
    """
    shown = {comment.pk for comment in comments}
    children: dict[int | None, list[ThreadComment]] = {}
    for comment in comments:
        parent_id = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(parent_id, []).append(comment)

    ordered: list[ThreadComment] = []
    stack = [(comment, 1) for comment in reversed(children.get(None, []))]
    while stack:
        comment, level = stack.pop()
        comment.thread_depth = min(level, max_depth)
        ordered.append(comment)
        stack.extend((reply, level + 1) for reply in reversed(children.get(comment.pk, [])))
    return ordered
