from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        from comments import signals  # noqa: F401  (connects the receivers)
        from comments.models import ArticleDiscussion, Comment, DiscussionSettings
        from core.invalidation import watch

        def changes_thread(comment, created):
            return comment.changes_thread(created=created)

        # Cached pages go stale when what readers see of comments changes: a comment
        # approved, or one that was approved edited, unapproved or deleted; not a
        # comment merely held (Comment.changes_thread).
        watch(Comment, changes_pages=changes_thread)
        watch(DiscussionSettings)
        # A new open row changes nothing (an article without a row is open): such rows
        # are made when a thread first changes, which stales the pages itself.
        watch(ArticleDiscussion, changes_pages=lambda row, created: not (created and row.is_open))
