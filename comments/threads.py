"""A comment thread, built in Python from one query."""

from comments.models import Comment


def build_thread(comments: list[Comment], *, max_depth: int) -> list[Comment]:
    """`comments` (oldest first) in reading order, each with `thread_depth` set (1 = top).

    Replies follow their parent, oldest first. A reply whose parent is not shown (held,
    trashed, deleted) stands at the top level rather than vanishing; one deeper than the
    thread allows (the setting was lowered) is shown at the deepest level.
    """
    shown = {comment.pk for comment in comments}
    children: dict[int | None, list[Comment]] = {}
    for comment in comments:
        parent_id = comment.parent_id if comment.parent_id in shown else None
        children.setdefault(parent_id, []).append(comment)

    ordered: list[Comment] = []
    stack = [(comment, 1) for comment in reversed(children.get(None, []))]
    while stack:
        comment, level = stack.pop()
        comment.thread_depth = min(level, max_depth)
        ordered.append(comment)
        stack.extend((reply, level + 1) for reply in reversed(children.get(comment.pk, [])))
    return ordered
