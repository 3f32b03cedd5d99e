"""Writes that carry a rule: submitting a comment (through the moderation policy),
moderating comments, and telling caches that a thread changed."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, transaction
from django.db.models import F, QuerySet

from blog.models import Article, SiteSettings
from comments import moderation
from comments.models import ArticleDiscussion, Comment, DiscussionSettings, token_digest
from core.addresses import email_key
from core.invalidation import bump_on_commit
from core.ratelimit import Limit, hit

# What people are told; the tests read the same constants.
COMMENTS_CLOSED = "Comments are closed on this article."
DUPLICATE_COMMENT = "Duplicate comment detected; it looks as though you have already said that!"
FLOOD_COMMENT = (
    "You are posting comments too quickly. Wait {seconds} seconds, then send your comment "
    "again: it is still in the form below."
)
PARENT_UNAVAILABLE = "The comment you are replying to is no longer available."

# Comments changed by one UPDATE when moderating (a bound on the query's parameters).
MODERATE_BATCH = 500


class CommentRefused(Exception):
    """A comment that is not stored, with the reason to show and the HTTP status."""

    status_code = 400
    field = None  # the form field the message belongs to; None: the form as a whole

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CommentsClosed(CommentRefused):
    status_code = 403

    def __init__(self):
        super().__init__(COMMENTS_CLOSED)


class DuplicateComment(CommentRefused):
    field = "comment"

    def __init__(self):
        super().__init__(DUPLICATE_COMMENT)


class ParentUnavailable(CommentRefused):
    def __init__(self):
        super().__init__(PARENT_UNAVAILABLE)


class CommentFlood(CommentRefused):
    status_code = 429

    def __init__(self, retry_after: int):
        super().__init__(FLOOD_COMMENT.format(seconds=retry_after))
        self.retry_after = retry_after


@dataclass(frozen=True)
class Poster:
    """Where a comment came from: the request's facts, gathered by the view."""

    ip_address: str = ""
    user_agent: str = ""
    author_token: str = ""  # the browser's token (README: "previously approved" proof)
    # The token was made for this very request (the browser brought none): no comment
    # can have been approved under it yet, so the trust rule has nothing to look up.
    is_new_token: bool = False
    user: AbstractBaseUser | AnonymousUser | None = None


def editor_reply_name(user: AbstractBaseUser) -> str:
    """The public name of an editor's reply: their full name, else the site's name. Never
    the login name, which is half of what signing in takes."""
    return user.get_full_name().strip() or SiteSettings.load().display_name


def _reply_placement(
    *, article: Article, parent_id: int | None, discussion: DiscussionSettings
) -> tuple[Comment | None, int]:
    """The parent a reply attaches to, and the reply's depth.

    A reply to a comment at the deepest level joins that level (it becomes a reply to
    that comment's parent), as WordPress does; with threading off every comment is
    top-level.
    """
    if not parent_id:
        return None, 1
    fields = ("pk", "depth", "parent_id", "article_id")
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).only(*fields)
    parent = parent.first()
    if parent is None:
        raise ParentUnavailable
    max_depth = discussion.effective_depth()
    if max_depth == 1:
        return None, 1
    while parent.depth >= max_depth and parent.parent_id is not None:
        parent = Comment.objects.only(*fields).get(pk=parent.parent_id)
    return parent, min(parent.depth + 1, max_depth)


# WordPress's duplicate rule: the same text from the same name or email on the same
# article (a trashed comment aside). Two EXISTS, each served by an index of Comment.Meta
# (the article with the name; the address's key with the article: keys are compared by
# equality, never through UPPER() or LOWER(), which make `ı` an `I`). Written as SQL
# because it runs on every post and the ORM has no cheap form of it: one filter with OR
# between the two is planned by SQLite as a walk through every comment of the article (a
# cost that grows with the discussion), and two ORM queries cost more in query building
# than the rest of the check together.
_DUPLICATE_SQL = """
    SELECT EXISTS (
        SELECT 1 FROM {table} WHERE article_id = %s AND body = %s AND status <> %s
        AND author_name = %s
    ) OR EXISTS (
        SELECT 1 FROM {table} WHERE article_id = %s AND body = %s AND status <> %s
        AND author_email_key = %s
    )
"""


def _is_duplicate(*, article: Article, author_name: str, author_email: str, body: str) -> bool:
    connection = connections[Comment.objects.db]
    sql = _DUPLICATE_SQL.format(table=connection.ops.quote_name(Comment._meta.db_table))
    same_text = [article.pk, body, Comment.Status.TRASH.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*same_text, author_name, *same_text, email_key(author_email)])
        (duplicate,) = cursor.fetchone()
    return bool(duplicate)


def _flood_wait(*, ip_address: str, author_email: str) -> int | None:
    """Seconds to wait when this IP address or email posted within COMMENT_FLOOD_SECONDS."""
    limit = Limit(count=1, seconds=settings.COMMENT_FLOOD_SECONDS)
    waits = [hit("comment-flood-email", email_key(author_email), limit)]
    if ip_address:
        waits.append(hit("comment-flood-ip", ip_address, limit))
    return max((wait for wait in waits if wait), default=None)


def _is_trusted(*, author_token: str, author_name: str, author_email: str) -> bool:
    """Proof of a previously approved comment: this browser's token posted one, under
    the same name and email, and an editor approved it."""
    if not author_token:
        return False
    return (
        Comment.objects.approved()
        .filter(
            author_token_digest=token_digest(author_token),
            author_email_key=email_key(author_email),
            author_name=author_name,
        )
        .exists()
    )


def comment_submit(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    body: str,
    author_url: str = "",
    parent_id: int | None = None,
    poster: Poster | None = None,
    is_editor_reply: bool = False,
) -> Comment:
    """Store a comment with the status the moderation policy gives it.

    Raises a `CommentRefused` (closed, duplicate, flood, unknown parent) and stores
    nothing then. The editors are emailed after commit when the comment is held or
    published; a comment sent to the trash by a disallowed word is not announced.

    No transaction of its own: the one write is a single INSERT, atomic by itself, and
    the reads before it gain nothing from one under PostgreSQL's READ COMMITTED (two
    identical posts at the same instant can both pass the duplicate check either way;
    flood control is what refuses a double submit). Its BEGIN and COMMIT were two of
    the seven round trips of a post. Inside a caller's transaction, the notification
    waits for that transaction's commit.

    `is_editor_reply`: the admin's Reply, by a moderator (`poster.user`); the comment is
    marked as by the site (Comment.is_by_editor) and taken even when the article's
    comments are closed. Ignored for anyone else.
    """
    poster = poster or Poster()
    is_moderator = bool(poster.user and poster.user.has_perm("comments.change_comment"))
    is_editor_reply = is_editor_reply and is_moderator
    discussion = DiscussionSettings.load(article=article)
    # A moderator answers from the admin even where readers no longer may, as in
    # WordPress: closing an article stops the public form, not the desk.
    if not is_editor_reply and not discussion.comments_open(article):
        raise CommentsClosed
    parent, depth = _reply_placement(article=article, parent_id=parent_id, discussion=discussion)
    duplicate = _is_duplicate(
        article=article, author_name=author_name, author_email=author_email, body=body
    )
    if duplicate:
        raise DuplicateComment
    if not is_moderator and (
        wait := _flood_wait(ip_address=poster.ip_address, author_email=author_email)
    ):
        raise CommentFlood(wait)

    submission = moderation.Submission(
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        ip_address=poster.ip_address,
        is_moderator=is_moderator,
    )
    status = moderation.decide(
        submission,
        discussion,
        is_trusted=lambda: (
            not poster.is_new_token
            and _is_trusted(
                author_token=poster.author_token, author_name=author_name, author_email=author_email
            )
        ),
    )
    comment = Comment(
        article=article,
        parent=parent,
        depth=depth,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        status=status,
        ip_address=poster.ip_address,
        user_agent=poster.user_agent,
        user=poster.user if poster.user and poster.user.is_authenticated else None,
        author_token_digest=token_digest(poster.author_token),
        is_by_editor=is_editor_reply,
    )
    comment.save()

    notify = {
        Comment.Status.PENDING: discussion.notify_on_held,
        Comment.Status.APPROVED: discussion.notify_on_published,
    }.get(status, False)
    if notify:
        from comments.tasks import comment_notify_editors

        transaction.on_commit(lambda: comment_notify_editors.enqueue(comment.pk))
    return comment


def comment_versions_bump(*, article_ids: Iterable[int]) -> None:
    """Raise the comment version of these articles (ArticleDiscussion.comment_version).

    In the caller's transaction, not after it: the new version becomes visible at the
    commit that makes the change visible, so a thread rendered from the old rows is
    stored under the old version, whatever the timing, and a failed commit raises
    nothing. Articles in a stable order, so two writers lock their rows alike.
    """
    for article_id in sorted(set(article_ids)):
        versions = ArticleDiscussion.objects.filter(article_id=article_id)
        if versions.update(comment_version=F("comment_version") + 1):
            continue
        # No row: the article is open, at version 0. Its row is made now, open.
        _row, created = ArticleDiscussion.objects.get_or_create(
            article_id=article_id, defaults={"comment_version": 1}
        )
        if not created:  # another writer made it meanwhile: go past their version
            versions.update(comment_version=F("comment_version") + 1)


def comment_threads_changed(*, article_ids: Iterable[int]) -> None:
    """What readers see under these articles changed: their cached threads and every
    cached page are stale (the latter once the transaction commits).

    Saves and deletes of comments do this through model signals (signals.py and
    CommentsConfig.ready); a write that sends none, a queryset `update()`, calls it.
    """
    comment_versions_bump(article_ids=article_ids)
    bump_on_commit()


@transaction.atomic
def comment_moderate(*, comments: QuerySet[Comment], status: Comment.Status) -> int:
    """Give `comments` a new status (approve, hold, spam, trash); return how many changed.

    Approving a comment also makes its browser's token proof of a previously approved
    comment: nothing to write for that, the next submission looks it up. Readers see a
    change only where a comment is approved now or was before: holding, spamming or
    trashing a held comment leaves every cached thread and page as it is.
    """
    # The rows are locked as they are read, and only those are updated: a comment that
    # another writer approves meanwhile cannot change here unseen by the caches.
    rows = list(
        Comment.objects.filter(pk__in=comments.values("pk"))
        .exclude(status=status)
        .select_for_update()
        .values_list("pk", "article_id", "status")
    )
    ids = [pk for pk, _article_id, _old in rows]
    for start in range(0, len(ids), MODERATE_BATCH):
        Comment.objects.filter(pk__in=ids[start : start + MODERATE_BATCH]).update(status=status)
    seen = {article_id for _pk, article_id, old in rows if Comment.Status.APPROVED in (old, status)}
    if seen:  # update() sends no model signal
        comment_threads_changed(article_ids=seen)
    return len(rows)


def comment_approve(*, comment: Comment) -> Comment:
    comment_moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED)
    comment.status = Comment.Status.APPROVED
    return comment
