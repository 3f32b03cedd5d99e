"""The moderation policy: which status a new comment gets.

One module, called by `services.comment_submit`, so the public form, the admin, the shell
and any import pass the same rules. The order is WordPress's (`wp_allow_comment`):
disallowed words first (straight to the trash), then the rules that hold a comment for
an editor, then publication.
"""

from collections.abc import Callable
from dataclasses import dataclass

from blog import html
from comments.models import Comment, DiscussionSettings


@dataclass(frozen=True)
class Submission:
    """What the policy looks at: what the poster typed and where it came from."""

    author_name: str
    author_email: str
    author_url: str
    body: str
    ip_address: str = ""
    is_moderator: bool = False


def _contains_any(words: list[str], submission: Submission) -> bool:
    haystacks = [
        submission.body,
        submission.author_name,
        submission.author_email,
        submission.author_url,
        submission.ip_address,
    ]
    haystacks = [text.casefold() for text in haystacks if text]
    return any(word.casefold() in text for word in words for text in haystacks)


def is_disallowed(submission: Submission, discussion: DiscussionSettings) -> bool:
    return _contains_any(discussion.disallowed_words, submission)


def hold_reason(
    submission: Submission,
    discussion: DiscussionSettings,
    *,
    is_trusted: Callable[[], bool],
) -> str | None:
    """Why the comment must wait for an editor, or None when it may be published.

    `is_trusted` is asked last, and only when the rule is on: it costs a query.
    """
    if discussion.is_manual_approval_required:
        return "manual approval"
    if discussion.max_links:
        links = html.count_links(html.clean_comment_html(submission.body))
        if links >= discussion.max_links:
            return f"{links} links"
    if _contains_any(discussion.moderation_words, submission):
        return "moderation word"
    if discussion.is_previous_approval_required and not is_trusted():
        return "no previously approved comment"
    return None


def decide(
    submission: Submission,
    discussion: DiscussionSettings,
    *,
    is_trusted: Callable[[], bool],
) -> Comment.Status:
    if submission.is_moderator:
        return Comment.Status.APPROVED
    if is_disallowed(submission, discussion):
        return Comment.Status.TRASH
    if hold_reason(submission, discussion, is_trusted=is_trusted):
        return Comment.Status.PENDING
    return Comment.Status.APPROVED
