"""Comments on articles, the site's discussion settings and each article's open/closed switch."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connections, models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from blog import html
from blog.models import Article
from core.addresses import EMAIL_KEY_MAX_LENGTH, email_key

# WordPress's column sizes, so comments moved between the two fit either way.
BODY_MAX_LENGTH = 65_525
AUTHOR_NAME_MAX_LENGTH = 245
AUTHOR_EMAIL_MAX_LENGTH = 100
AUTHOR_URL_MAX_LENGTH = 200
MAX_THREAD_DEPTH = 10  # the most the admin allows (WordPress offers 2..10)

http_url_validator = URLValidator(schemes=["http", "https"])


# DiscussionSettings.load: the settings row, and the switch and comment version of one
# article (NULL when it has no row; the parameter is NULL when no article is asked about).
_LOAD_SQL = (
    "SELECT s.*, d.is_open AS article_switch, d.comment_version AS article_comment_version "
    "FROM {settings} s LEFT JOIN {switches} d ON d.article_id = %s WHERE s.id = %s"
)


class DiscussionSettings(models.Model):
    """WordPress's Settings > Discussion, with its defaults. There is one row (pk=1)."""

    is_open_on_new_articles = models.BooleanField(
        "allow comments on new articles",
        default=True,
        help_text="Each article can still be opened or closed under "
        '"Comments > Discussion per article".',
    )
    is_auto_close_on = models.BooleanField("close comments on old articles", default=False)
    close_after_days = models.PositiveSmallIntegerField(
        "close comments on articles older than (days)",
        default=14,
        validators=[MinValueValidator(1)],
    )
    is_threaded = models.BooleanField("enable threaded (nested) comments", default=True)
    thread_depth = models.PositiveSmallIntegerField(
        "levels deep",
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(MAX_THREAD_DEPTH)],
        help_text="A reply to a comment at the deepest level joins that level.",
    )
    notify_on_published = models.BooleanField(
        "email the editors when anyone posts a comment", default=True
    )
    notify_on_held = models.BooleanField(
        "email the editors when a comment is held for moderation", default=True
    )
    is_manual_approval_required = models.BooleanField(
        "comment must be manually approved", default=False
    )
    is_previous_approval_required = models.BooleanField(
        "comment author must have a previously approved comment",
        default=True,
        help_text="Proved by a token kept by the browser that posted the approved comment: "
        "typing someone's name and email is not enough.",
    )
    max_links = models.PositiveSmallIntegerField(
        "hold a comment in the queue if it contains this many links or more",
        default=2,
        help_text="0 turns this rule off.",
    )
    moderation_keys = models.TextField(
        "comment moderation words",
        blank=True,
        help_text="One word or IP address per line. A comment whose text, name, email, "
        "website or IP address contains one of them waits in the moderation queue. "
        "Parts of words match too: “press” matches “WordPress”.",
    )
    disallowed_keys = models.TextField(
        "disallowed comment words",
        blank=True,
        help_text="One word or IP address per line. A comment that contains one of them "
        "goes straight to the trash; its poster is told it awaits moderation.",
    )

    class Meta:
        verbose_name = "discussion settings"
        verbose_name_plural = "discussion settings"

    def __str__(self):
        return "Discussion settings"

    @classmethod
    def load(cls, *, article: Article | None = None) -> "DiscussionSettings":
        """The settings row; given `article`, with its open/closed switch and its comment
        version in the same query.

        The article page and the submit service need both: one query instead of two.
        Written as SQL because both run it on every request: the ORM's form of it (a
        Subquery annotation) costs several times more to build than the query to run.
        """
        connection = connections[cls.objects.db]
        sql = _LOAD_SQL.format(
            settings=connection.ops.quote_name(cls._meta.db_table),
            switches=connection.ops.quote_name(ArticleDiscussion._meta.db_table),
        )
        row = next(iter(cls.objects.raw(sql, [article.pk if article else None, 1])), None)
        if row is None:  # the first use on a new site
            cls.objects.get_or_create(pk=1)
            return cls.load(article=article)
        if article is not None:
            switch = row.article_switch  # SQLite answers 0 or 1
            switch = None if switch is None else bool(switch)
            row._article_row = (article.pk, switch, row.article_comment_version or 0)
        return row

    def _article_discussion(self, article: Article) -> tuple[bool | None, int]:
        """`article`'s switch (None: it has no row) and comment version, as loaded with
        these settings when they were loaded for it, else read now."""
        loaded_for, switch, version = getattr(self, "_article_row", (None, None, 0))
        if loaded_for == article.pk:
            return switch, version
        row = (
            ArticleDiscussion.objects.filter(article=article)
            .values_list("is_open", "comment_version")
            .first()
        )
        return row if row is not None else (None, 0)

    @staticmethod
    def _words(text: str) -> list[str]:
        return [word.strip() for word in text.splitlines() if word.strip()]

    @property
    def moderation_words(self) -> list[str]:
        return self._words(self.moderation_keys)

    @property
    def disallowed_words(self) -> list[str]:
        return self._words(self.disallowed_keys)

    def comments_open(self, article: Article) -> bool:
        """Whether `article` takes comments now: live, its switch open, not auto-closed."""
        if not article.is_live:
            return False
        switch, _version = self._article_discussion(article)
        if switch is False:  # an article without a row is open
            return False
        if self.is_auto_close_on:
            cutoff = timezone.now() - timedelta(days=self.close_after_days)
            if article.published_at < cutoff:
                return False
        return True

    def effective_depth(self) -> int:
        """How many levels a thread may have: 1 when threading is off."""
        return self.thread_depth if self.is_threaded else 1

    def comment_version(self, article: Article) -> int:
        """A number that changes whenever what readers see of `article`'s comments
        changes (services.comment_versions_bump): the key of its cached thread."""
        _switch, version = self._article_discussion(article)
        return version


class ArticleDiscussion(models.Model):
    """Whether one article takes comments (the per-article switch).

    Kept here rather than as a field of blog's Article so that blog knows nothing of
    comments. A row is made when a closed article is created (from the "allow comments
    on new articles" setting of that moment), or when its thread first changes; an
    article without a row is open, and its comment version is 0.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="discussion"
    )
    is_open = models.BooleanField("comments open", default=True)
    # Raised, in the writer's transaction, by every change readers see in the article's
    # thread (services.comment_versions_bump); read with the discussion settings at no
    # extra query, it keys the thread's {% cache %} fragment.
    comment_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "discussion per article"
        verbose_name_plural = "discussion per article"

    def __str__(self):
        return f"Comments {'open' if self.is_open else 'closed'}: {self.article}"


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def for_thread(self, article: Article, *, own_ids=()):
        """What one browser sees under `article`: approved comments, and its own held ones.

        Ordered oldest first, the order a thread is built in.
        """
        visible = Q(status=Comment.Status.APPROVED)
        if own_ids:
            visible |= Q(pk__in=list(own_ids))
        return self.filter(visible, article=article).order_by("created_at", "pk")


def token_digest(token: str) -> str:
    """What is stored of a browser's author token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest() if token else ""


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        TRASH = "trash", "Trash"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    author_name = models.CharField("name", max_length=AUTHOR_NAME_MAX_LENGTH)
    author_email = models.EmailField("email", max_length=AUTHOR_EMAIL_MAX_LENGTH)
    # What the address is matched by (core.addresses.email_key), derived on save; a
    # queryset update() that changes author_email writes it too (privacy erasure).
    author_email_key = models.CharField(max_length=EMAIL_KEY_MAX_LENGTH, blank=True, editable=False)
    author_url = models.CharField(
        "website", max_length=AUTHOR_URL_MAX_LENGTH, blank=True, validators=[http_url_validator]
    )
    body = models.TextField("comment", max_length=BODY_MAX_LENGTH)
    # Derived on save: the body as readers see it, cleaned once (blog/html.py's policy).
    body_html = models.TextField(editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.CharField("IP address", max_length=45, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        editable=False,
    )
    # Written by an editor through the admin's Reply, in the site's name: the thread and
    # the admin list label it. Stored, not derived from the user's staff flag, so a reply
    # stays labelled (and the cached thread stays right) whatever later happens to the
    # account, and a staff member commenting as a reader is not labelled.
    is_by_editor = models.BooleanField("by the site", default=False, editable=False)
    # SHA-256 of the token in the posting browser's cookie: the proof that a later
    # comment comes from the same person once this one is approved (README, Comments).
    author_token_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_thread_idx"),
            models.Index(fields=["author_token_digest"], name="comment_token_idx"),
            # The duplicate check (services._is_duplicate): one index per author condition.
            # The address key's (key first) also finds all of an address's comments.
            models.Index(fields=["article", "author_name"], name="comment_author_name_idx"),
            models.Index(fields=["author_email_key", "article"], name="comment_email_key_idx"),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article}"

    def save(self, *args, **kwargs):
        self.body_html = html.clean_comment_html(self.body)
        self.author_email_key = email_key(self.author_email) if self.author_email else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "body_html", "author_email_key"}
        super().save(*args, **kwargs)
        if update_fields is None or "status" in update_fields:
            self.stored_status = self.status

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        # Django's documented hook ("Customizing model loading"): the status as stored,
        # so that a save can tell whether readers saw this comment before it.
        comment = super().from_db(db, field_names, values, **kwargs)
        if "status" in field_names:
            comment.stored_status = comment.status
        return comment

    def changes_thread(self, *, created: bool = False) -> bool:
        """Whether saving (or deleting) this comment changes what readers see: it is
        approved, or was when it was read. A held comment, new or edited, changes nothing
        (a status not read from the database counts as approved: the safe guess)."""
        if self.is_approved:
            return True
        if created:
            return False
        return getattr(self, "stored_status", self.Status.APPROVED) == self.Status.APPROVED

    @property
    def anchor(self) -> str:
        return f"comment-{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def link_count(self) -> int:
        return html.count_links(self.body_html)

    def get_admin_url(self):
        return reverse("admin:comments_comment_change", args=[self.pk])
