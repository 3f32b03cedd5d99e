"""Importing a WordPress export: authors, categories, tags, pictures, posts, pages and
their comments, each remembered by (site, kind, WordPress id) so that a second run
updates what the first made.

Two passes over the file, both streamed (wxr.read): the first reads it whole before
anything is written — a file cut short, an XML bomb or an RSS feed is refused with
nothing stored — and keeps what posts refer to (authors, terms, attachments, which
pages exist); the second imports posts and pages one by one, each with its comments
in a transaction of its own, so that a malformed item is reported and skipped and the
rest imported. A page whose parent comes later in the file waits for a further pass.

Imported posts were published on the old site already: they are saved without
`blog.services.article_save`, whose publication signal would email them to every
subscriber, and those recent enough for the newsletter's catch-up sweep are marked as
sent. A post scheduled for the future goes through `article_save`, so that its
newsletter goes out when it appears, as it would have on the old site.
A page scheduled there is scheduled here: published, at its time to come.
"""

import io
import mimetypes
import posixpath
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from slugify import slugify

from blog import html
from blog.models import Article, Category, Tag, unique_slug
from blog.services import article_save
from comments.models import (
    AUTHOR_EMAIL_MAX_LENGTH,
    AUTHOR_NAME_MAX_LENGTH,
    AUTHOR_URL_MAX_LENGTH,
    MAX_THREAD_DEPTH,
    Comment,
)
from comments.services import comment_threads_changed
from core import invalidation
from core.addresses import email_key
from core.editors import AUTHORS_GROUP
from media import processing
from media.models import Image
from newsletter.models import Mailing
from pages.models import Page
from wordpress import attachments, content, wxr
from wordpress.models import ImportedItem, LegacyPath

Kind = ImportedItem.Kind
User = get_user_model()

# The rows of the summary, in the order an import makes them.
KINDS = ("author", "category", "tag", "attachment", "post", "page", "comment", "pingback",
         "other")  # fmt: skip
ACTIONS = ("imported", "updated", "skipped", "failed")

POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # a publication time to come schedules it
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.PENDING,
    "private": Article.Status.PRIVATE,
}
PAGE_STATUSES = {
    "publish": Page.Status.PUBLISHED,
    "future": Page.Status.PUBLISHED,  # a publication time to come schedules it
    "draft": Page.Status.DRAFT,
    "pending": Page.Status.DRAFT,
    "private": Page.Status.PRIVATE,
}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "approve": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.TRASH,
    "post-trashed": Comment.Status.TRASH,
}
PINGS = ("pingback", "trackback")
COMMENT_FIELDS = ["article", "parent", "depth", "author_name", "author_email", "author_email_key",
                  "author_url", "body", "body_html", "status", "created_at", "ip_address",
                  "user_agent", "user"]  # fmt: skip
UNTITLED = "Untitled"
_ABSENT = object()
ANONYMOUS = "Anonymous"


@dataclass
class Report:
    """What an import did, by kind and action, and what it has to say about items."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    messages: list[str] = field(default_factory=list)

    def count(self, kind: str, action: str, n: int = 1) -> None:
        self.counts[kind][action] += n

    def note(self, message: str) -> None:
        self.messages.append(message)

    @property
    def failed(self) -> int:
        return sum(counter["failed"] for counter in self.counts.values())

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        return [
            (kind, *(self.counts[kind][action] for action in ACTIONS))
            for kind in KINDS
            if sum(self.counts[kind].values())
        ]


@dataclass
class _Attachment:
    wp_id: int
    url: str
    title: str
    alt: str
    caption: str
    author_login: str


@dataclass
class _Scan:
    """What the first pass keeps: small, whatever the size of the posts."""

    channel: wxr.Channel
    authors: list[wxr.Author] = field(default_factory=list)
    terms: list[wxr.Term] = field(default_factory=list)
    attachments: list[_Attachment] = field(default_factory=list)
    page_ids: set[int] = field(default_factory=set)
    items: int = 0


Progress = Callable[[str], None]


def _describe(item: wxr.Item | wxr.Malformed) -> str:
    title = item.title or "(no title)"
    kind = getattr(item, "post_type", "") or "item"
    return f"{kind} {item.wp_id} “{title}”"


def scan(path: Path) -> _Scan:
    """The first pass: read the whole file (raising wxr.WXRError if it cannot be)."""
    found, seen_terms = None, set()
    for event in wxr.read(path):
        if isinstance(event, wxr.Channel):
            found = _Scan(channel=event)
        elif isinstance(event, wxr.Author):
            found.authors.append(event)
        elif isinstance(event, wxr.Term):
            # WordPress lists some terms twice (as <wp:category> and as <wp:term>).
            if (event.taxonomy, event.slug) not in seen_terms:
                seen_terms.add((event.taxonomy, event.slug))
                found.terms.append(event)
        else:
            found.items += 1
            if isinstance(event, wxr.Item) and event.post_type == "attachment":
                found.attachments.append(
                    _Attachment(
                        wp_id=event.wp_id,
                        url=event.attachment_url or event.link,
                        title=event.title,
                        alt=event.meta_value("_wp_attachment_image_alt").strip(),
                        caption=html.strip_tags(event.excerpt),
                        author_login=event.author_login,
                    )
                )
            elif isinstance(event, wxr.Item) and event.post_type == "page":
                found.page_ids.add(event.wp_id)
    return found


def import_wxr(
    path: Path,
    *,
    media_dir: Path | None = None,
    download: bool = True,
    allowed_hosts: frozenset[str] = frozenset(),
    dry_run: bool = False,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
) -> Report:
    """Import the export at `path`; see the module's docstring. Raises wxr.WXRError,
    before writing anything, when the file as a whole cannot be imported.

    `dry_run` does all of it in a transaction rolled back at the end (pictures are
    fetched and checked but not stored), so it reports what a real run would.
    `progress` is called with each item's description as it is done; `on_start` with
    the number of items, once the first pass has counted them.
    """
    found = scan(path)
    if on_start is not None:
        on_start(found.items)
    source = attachments.AttachmentSource(
        media_dir=media_dir, download=download, allowed_hosts=allowed_hosts
    )
    run = _Run(found=found, source=source, dry_run=dry_run, progress=progress or (lambda _: None))
    # One new page-cache version for the whole import, at its end, rather than several
    # per post: readers see the imported posts when the import is done.
    with transaction.atomic() if dry_run else nullcontext(), invalidation.bumps_collapsed():
        run.import_everything(path)
        if dry_run:
            transaction.set_rollback(True)
    return run.report


class _Run:
    def __init__(self, *, found: _Scan, source, dry_run: bool, progress: Progress):
        self.found = found
        self.site_url = found.channel.site_url
        self.source = source
        self.dry_run = dry_run
        self.progress = progress
        self.report = Report()
        self.users: dict[str, object] = {}  # login -> user
        self.users_by_id: dict[int, object] = {}  # WordPress user id -> user
        self.categories: dict[str, Category] = {}  # WordPress slug -> category
        self.tags: dict[str, Tag] = {}
        self.pictures: dict[int, object] = {}  # attachment id -> media.Image
        self.picture_urls: dict[str, object] = {}  # attachment URL -> media.Image
        self.pages: dict[int, Page] = {}
        # For [gallery ids="…"]: the pictures it names, by attachment id.
        self.attachment_urls = {a.wp_id: a.url for a in found.attachments if a.url}
        # (kind, WordPress id, our pk) that ImportedItem holds already: no write needed.
        self.recorded: set[tuple[str, int, int]] = set()
        # Rows noted by remember() and legacy_path(), written by write_records().
        self.items_due: list[ImportedItem] = []
        self.paths_due: list[LegacyPath] = []
        # (cache, key, value before) for each entry cache() made in the open units, so
        # that a unit rolled back takes its entries with it: an author or category a
        # failed post made is gone from the database, and later posts must make it again.
        self.undo: list[tuple[dict, object, object]] = []
        self.depth = 0

    # --- The steps ---------------------------------------------------------------

    def import_everything(self, path: Path) -> None:
        with self.recording():
            for author in self.found.authors:
                self.guarded("author", f"author {author.login}", self.import_author, author)
            self.import_terms()
        for attachment in self.found.attachments:
            described = f"attachment {attachment.wp_id} “{attachment.title}”"
            self.guarded("attachment", described, self.import_attachment, attachment)
            self.progress(f"attachment {attachment.wp_id}")
        waiting = self.import_items(path)
        # Pages whose parent came later in the file: as many passes as the nesting needs.
        while waiting:
            still_waiting = self.import_waiting_pages(path, waiting, force=False)
            if len(still_waiting) == len(waiting):
                # Parents that never come (a loop, a failed parent): at the top level.
                self.import_waiting_pages(path, still_waiting, force=True)
                break
            waiting = still_waiting

    def import_items(self, path: Path) -> set[int]:
        """The second pass; returns the pages waiting for their parent."""
        waiting = set()
        for event in wxr.read(path):
            if isinstance(event, wxr.Malformed):
                kind = event.post_type if event.post_type in ("post", "page") else "other"
                self.report.count(kind, "failed")
                self.report.note(f"failed: {_describe(event)}: {event.reason}; skipped.")
            elif not isinstance(event, wxr.Item) or event.post_type == "attachment":
                continue
            elif event.post_type == "post":
                self.import_post(event)
            elif event.post_type == "page":
                if not self.import_page(event):
                    waiting.add(event.wp_id)
                    continue
            else:
                # Menus, revisions, custom post types: nothing of Broadsheet's holds them.
                self.report.count("other", "skipped")
            self.progress(_describe(event))
        return waiting

    def import_waiting_pages(self, path: Path, wp_ids: set[int], *, force: bool) -> set[int]:
        left = set()
        for event in wxr.read(path):
            if isinstance(event, wxr.Item) and event.post_type == "page" and event.wp_id in wp_ids:
                if self.import_page(event, force=force):
                    self.progress(_describe(event))
                else:
                    left.add(event.wp_id)
        return left

    # --- What an import made before ------------------------------------------------

    def content_type(self, model) -> ContentType:
        return ContentType.objects.get_for_model(model)  # kept by Django after the first

    def made_before(self, kind: str, wp_id: int | None, model):
        if wp_id is None:
            return None
        record = ImportedItem.objects.filter(
            site_url=self.site_url, kind=kind, wp_id=wp_id, content_type=self.content_type(model)
        ).first()
        if record is None:
            return None
        found = model.objects.filter(pk=record.object_id).first()
        if found is not None:
            self.recorded.add((kind, wp_id, found.pk))
        return found

    def remember(self, kind: str, wp_id: int | None, obj) -> None:
        """Note that `obj` is what the import made of (kind, wp_id); written with the
        other rows of the same unit (`recording`)."""
        if wp_id is None or (kind, wp_id, obj.pk) in self.recorded:
            return
        self.items_due.append(
            ImportedItem(site_url=self.site_url, kind=kind, wp_id=wp_id,
                         content_type=self.content_type(type(obj)), object_id=obj.pk)
        )  # fmt: skip

    def legacy_path(self, url: str, obj, *, current: str | None = None) -> None:
        """Let the old address `url` (or path) lead to `obj`, unless it is its address now
        (`current`, for objects without get_absolute_url)."""
        # Decoded, as request.path is; "//" as one "/", as browsers and servers take it.
        path = re.sub(r"/{2,}", "/", unquote(urlsplit(url).path)) if url else ""
        current = current or obj.get_absolute_url()
        # A NUL (a link with %00) can never be asked for: the site answers such a path
        # 400, and PostgreSQL would refuse the row.
        if not path.startswith("/") or path == "/" or path == current or "\x00" in path:
            return
        self.paths_due.append(
            LegacyPath(path=path[: LegacyPath._meta.get_field("path").max_length],
                       content_type=self.content_type(type(obj)), object_id=obj.pk)
        )  # fmt: skip

    @contextmanager
    def recording(self):
        """A transaction (a savepoint within one) that writes the ImportedItem and
        LegacyPath rows noted inside it at its end, one query for each model rather than
        one or two a row; a failure inside forgets them, as it undoes what they point to."""
        items, paths = len(self.items_due), len(self.paths_due)
        undo = len(self.undo)
        counts = {kind: Counter(counter) for kind, counter in self.report.counts.items()}
        messages = len(self.report.messages)
        self.depth += 1
        try:
            with transaction.atomic():
                yield
                self.write_records()
        except BaseException:
            del self.items_due[items:], self.paths_due[paths:]
            for cache, key, before in reversed(self.undo[undo:]):
                if before is _ABSENT:
                    cache.pop(key, None)
                else:
                    cache[key] = before
            del self.undo[undo:]
            # What the summary said of the unit's authors and terms is undone with them;
            # the caller reports the failure itself.
            self.report.counts = defaultdict(Counter, counts)
            del self.report.messages[messages:]
            raise
        finally:
            self.depth -= 1
        if not self.depth:
            self.undo.clear()  # committed: nothing left to undo

    def cache(self, cache: dict, key, value) -> None:
        """`cache[key] = value`, undone if the unit it is made in fails (`recording`)."""
        if self.depth:
            self.undo.append((cache, key, cache.get(key, _ABSENT)))
        cache[key] = value

    def write_records(self) -> None:
        # One row per key: the database refuses to update a row twice in one statement.
        items = {(i.kind, i.wp_id): i for i in self.items_due}
        paths = {p.path: p for p in self.paths_due}
        self.items_due.clear()
        self.paths_due.clear()
        # update_conflicts: an upsert on the unique keys, on SQLite as on PostgreSQL.
        ImportedItem.objects.bulk_create(
            items.values(),
            update_conflicts=True,
            unique_fields=["site_url", "kind", "wp_id"],
            update_fields=["content_type", "object_id", "imported_at"],
        )
        LegacyPath.objects.bulk_create(
            paths.values(),
            update_conflicts=True,
            unique_fields=["path"],
            update_fields=["content_type", "object_id"],
        )

    # --- Authors and terms -----------------------------------------------------------

    def import_author(self, author: wxr.Author, *, declared: bool = True):
        if not author.login:
            self.report.count("author", "failed")
            self.report.note(f"failed: an author without a login (id {author.wp_id}); skipped.")
            return None
        key = _author_key(author)
        user = self.made_before(Kind.AUTHOR, key, User)
        action = "updated" if user else "imported"
        username = _username(author.login)
        if user is None:
            user = User.objects.filter(username=username).first()
            if user is not None:
                # An account of this site already has the login: the author's posts are
                # linked to it, and the account itself is left as its owner keeps it.
                self.report.count("author", "skipped")
                self.report.note(
                    f"author {author.login}: an account named {username} exists; "
                    "their posts are linked to it, the account is left unchanged."
                )
                self.cache(self.users, author.login, user)
                if author.wp_id is not None:
                    self.cache(self.users_by_id, author.wp_id, user)
                return user
            user = User(username=username, is_staff=True, is_active=True)
            # Staff who cannot sign in until someone gives them a password: the export's
            # passwords are not in it, and must not be guessable.
            user.set_unusable_password()
        user.email = author.email[: User._meta.get_field("email").max_length]
        user.first_name, user.last_name = _byline_names(author)
        is_new = user.pk is None
        user.save()
        if is_new:
            # WordPress exports no roles: an imported writer starts as an Author (writes
            # and submits drafts), and an editor promotes whom they trust.
            user.groups.add(*Group.objects.filter(name=AUTHORS_GROUP))
        self.report.count("author", action)
        self.cache(self.users, author.login, user)
        if author.wp_id is not None:
            self.cache(self.users_by_id, author.wp_id, user)
        self.remember(Kind.AUTHOR, key, user)
        if declared:  # an undeclared login may be a typo: it had no archive to keep
            archive = reverse("blog:author", kwargs={"username": user.get_username()})
            self.legacy_path(f"/author/{slugify(author.login)}/", user, current=archive)
        return user

    def author_for(self, login: str, item: wxr.Item):
        if not login:
            return None
        if login not in self.users:
            # Posts may name an author the export's list leaves out (WXR 1.0 has no
            # list at all): the account is made from the login alone.
            self.report.note(
                f"{_describe(item)}: its author {login} is not declared in the export; "
                "an account was made with that login only."
            )
            self.import_author(wxr.Author(wp_id=None, login=login), declared=False)
        return self.users.get(login)

    def guarded(self, kind: str, described: str, action, *args):
        """`action(*args)` in a savepoint: a failure is reported, the rest goes on."""
        try:
            with self.recording():
                return action(*args)
        except Exception as error:  # one bad row is reported, the others imported
            self.report.count(kind, "failed")
            self.report.note(f"failed: {described}: {_reason(error)}; skipped.")
            return None

    def import_terms(self) -> None:
        for term in self.found.terms:
            if term.taxonomy == "category":
                self.guarded("category", f"category {term.slug}", self.import_category, term)
            else:
                self.guarded("tag", f"tag {term.slug}", self.import_tag, term)
        # Parents once every category exists: an export may list a child first.
        for term in self.found.terms:
            if term.taxonomy != "category" or term.slug not in self.categories:
                continue
            category = self.categories[term.slug]
            parent = self.categories.get(term.parent_slug) if term.parent_slug else None
            if parent is not None and _would_loop(category, parent):
                self.report.note(f"category {term.slug}: its parent makes a loop; made top-level.")
                parent = None
            if term.parent_slug and parent is None and term.parent_slug not in self.categories:
                self.report.note(
                    f"category {term.slug}: its parent {term.parent_slug} is not in the "
                    "export; made top-level."
                )
            if category.parent_id != (parent.pk if parent else None):
                category.parent = parent
                category.save(update_fields=["parent"])
        for term in self.found.terms:
            if term.taxonomy == "category" and term.slug in self.categories:
                category = self.categories[term.slug]
                self.legacy_path(f"/category/{_category_path(term, self.found.terms)}/", category)
                self.legacy_path(f"/category/{unquote(term.slug)}/", category)
            elif term.taxonomy == "post_tag" and term.slug in self.tags:
                self.legacy_path(f"/tag/{unquote(term.slug)}/", self.tags[term.slug])

    def import_category(self, term: wxr.Term) -> Category:
        category = self.made_before(Kind.CATEGORY, term.wp_id, Category)
        action = "updated" if category else "imported"
        if category is None:
            wanted = _slug(term.slug, term.name, "category")
            # A category of this site with the slug: the posts join it. Unless another
            # category of this export took it ("café" and "cafe" both make "cafe").
            category = Category.objects.filter(slug=wanted).first()
            if category is None:
                category = Category(slug=wanted)
            elif any(taken.pk == category.pk for taken in self.categories.values()):
                category = Category(slug=_unique(Category, "slug", wanted))
            action = "updated" if category.pk else "imported"
        category.name = (term.name or term.slug)[:100] or "Category"
        category.description = term.description
        category.save()
        self.report.count("category", action)
        self.cache(self.categories, term.slug, category)
        self.remember(Kind.CATEGORY, term.wp_id, category)
        return category

    def import_tag(self, term: wxr.Term) -> Tag:
        tag = self.made_before(Kind.TAG, term.wp_id, Tag)
        action = "updated" if tag else "imported"
        name = (term.name or term.slug)[:100] or "tag"
        if tag is None:
            wanted = _slug(term.slug, term.name, "tag")
            # Tag names are unique here: a tag of the same name is the same tag.
            tag = Tag.objects.filter(slug=wanted).first() or Tag.objects.filter(name=name).first()
            action = "updated" if tag else "imported"
            tag = tag or Tag(slug=_unique(Tag, "slug", wanted), name=name)
        if not Tag.objects.filter(name=name).exclude(pk=tag.pk).exists():
            tag.name = name
        tag.description = term.description
        tag.save()
        self.report.count("tag", action)
        self.cache(self.tags, term.slug, tag)
        self.remember(Kind.TAG, term.wp_id, tag)
        return tag

    def terms_of(self, item: wxr.Item) -> tuple[list[Category], list[Tag]]:
        categories, tags = [], []
        for ref in item.terms:
            slug = ref.slug or slugify(ref.name)
            if ref.taxonomy == "category":
                if slug not in self.categories:  # used by a post, missing from the list
                    self.import_category(wxr.Term("category", None, slug, ref.name))
                categories.append(self.categories[slug])
            elif ref.taxonomy == "post_tag":
                if slug not in self.tags:
                    self.import_tag(wxr.Term("post_tag", None, slug, ref.name))
                tags.append(self.tags[slug])
        return categories, tags

    # --- Pictures ----------------------------------------------------------------------

    def import_attachment(self, attachment: _Attachment) -> None:
        described = f"attachment {attachment.wp_id} “{attachment.title or attachment.url}”"
        existing = self.made_before(Kind.ATTACHMENT, attachment.wp_id, Image)
        filename = posixpath.basename(urlsplit(attachment.url).path) or "picture"
        if existing is not None:
            # Imported before: the file is not fetched again, its description is updated.
            existing.title = (attachment.title or existing.title)[:200]
            # As import_picture describes a new one: the library requires alt text.
            existing.alt_text = (attachment.alt or existing.title)[:300]
            existing.caption = attachment.caption
            existing.save(update_fields=["title", "alt_text", "caption"])
            self.keep_picture(attachment, existing)
            self.report.count("attachment", "updated")
            return
        kind = mimetypes.guess_type(filename)[0]
        if kind and not kind.startswith("image/"):
            # Sound, video, documents: the media library keeps pictures only, and posts
            # go on linking to the file where the old site has it.
            self.report.count("attachment", "skipped")
            self.report.note(
                f"{described}: not a picture; posts link to it at its old address, "
                f"{attachment.url}, which goes away with the old site."
            )
            return
        try:
            data = self.source.fetch(attachment.url)
            if self.dry_run:
                # Checked as the media library would, but no file written: a row without
                # one stands in for it, taken away with the dry run's rollback, so that
                # the posts showing it are reported as a real run would report them.
                prepared = processing.prepare(io.BytesIO(data))
                image = Image.objects.filter(
                    content_hash=prepared.content_hash
                ).first() or Image.objects.create(
                    file=f"images/{filename}",
                    width=prepared.width,
                    height=prepared.height,
                    content_hash=prepared.content_hash,
                    **attachments.picture_description(
                        filename=filename,
                        title=attachment.title or filename,
                        alt=attachment.alt,
                        caption=attachment.caption,
                    ),
                )
                self.keep_picture(attachment, image)
                self.report.count("attachment", "imported")
                return
            with transaction.atomic():
                image = attachments.import_picture(
                    data=data,
                    filename=filename,
                    title=attachment.title or filename,
                    alt=attachment.alt,
                    caption=attachment.caption,
                    uploaded_by=self.users.get(attachment.author_login),
                )
                self.remember(Kind.ATTACHMENT, attachment.wp_id, image)
        except attachments.AttachmentUnavailable as error:
            self.report.count("attachment", "skipped")
            self.report.note(f"{described}: cannot be had ({error}); posts show it not.")
            return
        except ValidationError as error:
            self.report.count("attachment", "skipped")
            reason = " ".join(error.messages)
            self.report.note(f"{described}: refused by the media library ({reason}).")
            return
        self.keep_picture(attachment, image)
        self.report.count("attachment", "imported")

    def keep_picture(self, attachment: _Attachment, image) -> None:
        self.cache(self.pictures, attachment.wp_id, image)
        if attachment.url:
            self.cache(self.picture_urls, attachment.url, image)

    # --- Posts -------------------------------------------------------------------------

    def import_post(self, item: wxr.Item) -> None:
        if item.status not in POST_STATUSES:
            # trash, auto-draft, inherit (a revision): nothing a reader or editor wants.
            # Imported before, it is withdrawn, as the export says, but not deleted:
            # nothing stored here is lost to a re-run.
            with self.recording():
                article = self.made_before(Kind.POST, item.wp_id, Article)
                if article is not None and article.status != Article.Status.DRAFT:
                    article.status = Article.Status.DRAFT
                    article.save()
            if article is not None:
                self.report.count("post", "updated")
                self.report.note(
                    f"{_describe(item)}: status “{item.status}”; imported before, a draft here now."
                )
                return
            self.report.count("post", "skipped")
            self.report.note(f"{_describe(item)}: status “{item.status}”; skipped.")
            return
        try:
            with self.recording():
                action, _article, notes = self.save_post(item)
        except Exception as error:  # one bad post is reported, the others imported
            self.report.count("post", "failed")
            self.report.note(f"failed: {_describe(item)}: {_reason(error)}; skipped.")
            return
        self.report.count("post", action)
        for note in notes:
            self.report.note(f"{_describe(item)}: {note}")

    def save_post(self, item: wxr.Item) -> tuple[str, Article, list[str]]:
        notes: list[str] = []
        article = self.made_before(Kind.POST, item.wp_id, Article)
        action = "updated" if article else "imported"
        was_published = article is not None and article.status == Article.Status.PUBLISHED
        article = article or Article()
        article.title, title_note = _title(item)
        notes.extend(filter(None, [title_note]))
        article.slug, slug_note = self.post_slug(item, article)
        notes.extend(filter(None, [slug_note]))
        body, body_notes = self.body_of(item)
        notes.extend(body_notes)
        article.body = body.html
        article.excerpt = html.strip_tags(item.excerpt) or (
            html.strip_tags(body.excerpt_html) if body.excerpt_html else ""
        )
        article.status = POST_STATUSES[item.status]
        article.published_at = (
            item.date if item.status in ("publish", "future", "private") else None
        )
        if article.status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = timezone.now()
            notes.append("it has no date; published now.")
        article.is_sticky = item.is_sticky
        article.author = self.author_for(item.author_login, item)
        thumbnail = item.meta_value("_thumbnail_id").strip()
        article.featured_image = self.pictures.get(int(thumbnail)) if thumbnail.isdigit() else None
        if thumbnail.isdigit() and article.featured_image is None:
            notes.append(f"its featured picture (attachment {thumbnail}) cannot be had.")
        scheduled = article.published_at is not None and article.published_at > timezone.now()
        if scheduled and article.status == Article.Status.PUBLISHED and not was_published:
            # Scheduled: its newsletter goes out when it appears, as on the old site.
            article_save(article=article)
        else:
            article.save()
            self.mark_announced(article)
        categories, tags = self.terms_of(item)
        if action == "imported":  # nothing to take away: add() skips set()'s look first
            article.categories.add(*categories)
            article.tags.add(*tags)
        else:
            article.categories.set(categories)
            article.tags.set(tags)
        self.remember(Kind.POST, item.wp_id, article)
        self.legacy_paths_of(item, article)
        notes.extend(self.import_comments(item, article))
        return action, article, notes

    def mark_announced(self, article: Article) -> None:
        """An imported live post counts as sent: the newsletter's catch-up sweep mails
        recent posts that have no mailing, and this one's readers had it long ago."""
        if not article.is_live:
            return
        since = timezone.now() - timedelta(days=settings.NEWSLETTER_CATCH_UP_DAYS)
        if article.published_at >= since:
            now = timezone.now()
            Mailing.objects.get_or_create(
                article=article,
                defaults={
                    "audience_cutoff": article.published_at,
                    "prepared_at": now,
                    "finished_at": now,
                },
            )

    def post_slug(self, item: wxr.Item, article: Article) -> tuple[str, str | None]:
        wanted = _slug(item.slug, item.title, "article")
        slug = unique_slug(wanted, exclude_pk=article.pk)
        if item.slug and slug != wanted:
            return slug, f"its slug {wanted} is taken; imported as {slug}."
        return slug, None

    def body_of(self, item: wxr.Item):
        notes = []
        converted = content.convert_body(item.content, attachment_urls=self.attachment_urls)
        notes.extend(converted.warnings)
        body_html, missing = attachments.rewrite_pictures(converted.html, self.picture_urls)
        notes.extend(f"the picture {url} cannot be had; left out." for url in missing)
        converted.html = body_html
        return converted, notes

    def legacy_paths_of(self, item: wxr.Item, obj) -> None:
        if not item.link or urlsplit(item.link).query:
            return  # "?p=123": answered from ImportedItem
        self.legacy_path(item.link, obj)
        path = unquote(urlsplit(item.link).path)
        head, _, last = path.rstrip("/").rpartition("/")
        for old_slug in item.meta.get("_wp_old_slug", []):
            old_slug = old_slug.strip()
            if old_slug and old_slug != last:
                self.legacy_path(f"{head}/{old_slug}/", obj)

    # --- Comments ----------------------------------------------------------------------

    def import_comments(self, item: wxr.Item, article: Article) -> list[str]:
        """Import the post's comments, threads kept, in a few queries whatever their
        number: written level by level (a reply needs its parent's id) in bulk, so
        neither per-comment signals nor per-comment cache invalidation run; the thread
        is marked changed once at the end."""
        notes = []
        by_id = {comment.wp_id: comment for comment in item.comments}
        made: dict[int, Comment] = {}
        levels: dict[int, int] = {}  # wp id -> nesting level (depth is capped, this not)
        # What earlier runs made of these comments, in two queries rather than two each.
        # The content type is checked here, not in SQL: with it there SQLite picks the
        # content type's index and reads every imported comment, for every post.
        comment_type = self.content_type(Comment)
        records = {
            wp_id: object_id
            for wp_id, object_id, type_id in ImportedItem.objects.filter(
                site_url=self.site_url, kind=Kind.COMMENT, wp_id__in=list(by_id)
            ).values_list("wp_id", "object_id", "content_type")
            if type_id == comment_type.pk
        }
        stored = Comment.objects.in_bulk(list(records.values()))
        before = {wp_id: stored[pk] for wp_id, pk in records.items() if pk in stored}

        def place(wanted: wxr.Comment, seen: frozenset = frozenset()) -> Comment | None:
            if wanted.wp_id in made:
                return made[wanted.wp_id]
            if wanted.type in PINGS:
                return None
            parent = None
            if wanted.parent_id:
                if wanted.parent_id in by_id and wanted.parent_id not in seen:
                    parent = place(by_id[wanted.parent_id], seen | {wanted.wp_id})
                if parent is None:
                    notes.append(
                        f"comment {wanted.wp_id}: the comment it replies to "
                        f"({wanted.parent_id}) is not in the export; made top-level."
                    )
            previous = before.get(wanted.wp_id)
            self.report.count("comment", "updated" if previous else "imported")
            made[wanted.wp_id] = self.fill_comment(wanted, article, parent, notes, previous)
            levels[wanted.wp_id] = levels[wanted.parent_id] + 1 if parent else 1
            return made[wanted.wp_id]

        for wanted in item.comments:
            if wanted.type in PINGS:
                # Pingbacks and trackbacks are not kept: they announced links from
                # other sites, and Broadsheet receives none.
                self.report.count("pingback", "skipped")
                continue
            place(wanted)
        for level in sorted(set(levels.values())):
            batch = [made[wp_id] for wp_id, at in levels.items() if at == level]
            for comment in batch:
                if comment.pk is not None:  # imported before: brought up to date
                    fields = {name: getattr(comment, name) for name in COMMENT_FIELDS}
                    Comment.objects.filter(pk=comment.pk).update(**fields)
            Comment.objects.bulk_create([comment for comment in batch if comment.pk is None])
        # Written with the post's own row (`recording`).
        self.items_due.extend(
            ImportedItem(site_url=self.site_url, kind=Kind.COMMENT, wp_id=wp_id,
                         content_type=self.content_type(Comment), object_id=comment.pk)
            for wp_id, comment in made.items()
            if comment is not None and records.get(wp_id) != comment.pk
        )  # fmt: skip
        if made:
            comment_threads_changed(article_ids=[article.pk])
        return notes

    def fill_comment(self, wanted: wxr.Comment, article: Article, parent, notes,
                     comment: Comment | None) -> Comment:  # fmt: skip
        """The comment's fields, not yet saved. Stored as they are, not through
        comments.services.comment_submit: the comment was moderated on the old site
        already, and nobody is to be emailed about it."""
        comment = comment or Comment()
        comment.article = article
        comment.parent = parent
        comment.depth = min(parent.depth + 1, MAX_THREAD_DEPTH) if parent else 1
        comment.author_name = wanted.author[:AUTHOR_NAME_MAX_LENGTH] or ANONYMOUS
        comment.author_email = wanted.email[:AUTHOR_EMAIL_MAX_LENGTH]
        url = wanted.url if wanted.url.startswith(("http://", "https://")) else ""
        comment.author_url = url[:AUTHOR_URL_MAX_LENGTH]
        comment.body = wanted.content
        status = COMMENT_STATUSES.get(wanted.approved)
        if status is None:
            notes.append(f"comment {wanted.wp_id}: status “{wanted.approved}” held as pending.")
            status = Comment.Status.PENDING
        comment.status = status
        comment.created_at = wanted.date or article.published_at or timezone.now()
        comment.ip_address = wanted.ip[:45]
        comment.user_agent = wanted.user_agent[:500]
        comment.user = self.users_by_id.get(wanted.user_id) if wanted.user_id else None
        # What Comment.save derives, derived here: bulk writes do not call save().
        comment.body_html = html.clean_comment_html(comment.body)
        comment.author_email_key = email_key(comment.author_email) if comment.author_email else ""
        return comment

    # --- Pages -------------------------------------------------------------------------

    def import_page(self, item: wxr.Item, *, force: bool = False) -> bool:
        """Import a page; False when its parent, a page later in the file, is not yet
        imported (it is tried again in a further pass)."""
        if item.status not in PAGE_STATUSES:
            self.report.count("page", "skipped")
            self.report.note(f"{_describe(item)}: status “{item.status}”; skipped.")
            return True
        parent = None
        if item.parent_id:
            parent = self.pages.get(item.parent_id)
            if parent is None and item.parent_id in self.found.page_ids and not force:
                return False
            if parent is None:
                self.report.note(
                    f"{_describe(item)}: its parent page {item.parent_id} is not in the "
                    "export; made top-level."
                )
        try:
            with self.recording():
                action, page, notes = self.save_page(item, parent)
        except Exception as error:
            self.report.count("page", "failed")
            self.report.note(f"failed: {_describe(item)}: {_reason(error)}; skipped.")
            self.pages.setdefault(item.wp_id, None)
            return True
        self.pages[item.wp_id] = page
        self.report.count("page", action)
        for note in notes:
            self.report.note(f"{_describe(item)}: {note}")
        for comment in item.comments:
            kind = "pingback" if comment.type in PINGS else "comment"
            self.report.count(kind, "skipped")
        if item.comments:
            self.report.note(
                f"{_describe(item)}: {len(item.comments)} comments not kept (pages here "
                "take no comments)."
            )
        return True

    def save_page(self, item: wxr.Item, parent: Page | None) -> tuple[str, Page, list[str]]:
        notes = []
        page = self.made_before(Kind.PAGE, item.wp_id, Page)
        action = "updated" if page else "imported"
        page = page or Page()
        page.title, title_note = _title(item)
        notes.extend(filter(None, [title_note]))
        page.parent = parent
        wanted = _slug(item.slug, item.title, "page")
        page.slug, n = wanted, 2
        while Page.objects.filter(path=page.address_path()).exclude(pk=page.pk).exists():
            page.slug = f"{wanted[:190]}-{n}"
            n += 1
        if page.slug != wanted:
            notes.append(f"its address {wanted} is taken; imported as {page.slug}.")
        body, body_notes = self.body_of(item)
        notes.extend(body_notes)
        page.body = body.html
        page.status = PAGE_STATUSES[item.status]
        if item.status == "pending":
            notes.append("pending review in WordPress; pages have no review here: a draft.")
        page.menu_order = item.menu_order
        page.author = self.author_for(item.author_login, item)
        # As for posts: a draft's date is when it was last edited, not a publication time.
        page.published_at = item.date if item.status in ("publish", "future", "private") else None
        if page.status == Page.Status.PUBLISHED and page.published_at is None:
            notes.append("it has no date; published now.")  # as Page.save does
        page.save()
        self.remember(Kind.PAGE, item.wp_id, page)
        self.legacy_paths_of(item, page)
        return action, page, notes


# --- Small helpers ---------------------------------------------------------------------


def _author_key(author: wxr.Author) -> int:
    """The id an author is remembered by. Exports before WXR 1.1, and WordPress.com's,
    give authors no id: theirs is made from the login, above any real user id."""
    if author.wp_id is not None:
        return author.wp_id
    return (1 << 40) + zlib.crc32(author.login.encode())


def _username(login: str) -> str:
    field = User._meta.get_field(User.USERNAME_FIELD)
    cleaned = "".join(ch if ch.isalnum() or ch in "@.+-_" else "_" for ch in login.strip())
    return cleaned[: field.max_length] or "author"


def _byline_names(author: wxr.Author) -> tuple[str, str]:
    """First and last name as bylines show them (`get_full_name`): the display name the
    old site showed, which may differ from the first and last name."""
    first, last = author.first_name, author.last_name
    display = author.display_name
    if display and display != f"{first} {last}".strip() and display != author.login:
        first, last = display, ""
    max_first = User._meta.get_field("first_name").max_length
    max_last = User._meta.get_field("last_name").max_length
    return first[:max_first], last[:max_last]


def _slug(wp_slug: str, title: str, fallback: str) -> str:
    """Ours from WordPress's: percent-encoded non-Latin slugs are decoded, then
    transliterated, as every slug here is."""
    return (
        slugify(unquote(wp_slug or ""), max_length=100)
        or slugify(title or "", max_length=100)
        or fallback
    )


def _unique(model, field_name: str, wanted: str) -> str:
    candidate, n = wanted, 2
    while model.objects.filter(**{field_name: candidate}).exists():
        candidate = f"{wanted[:90]}-{n}"
        n += 1
    return candidate


def _title(item: wxr.Item) -> tuple[str, str | None]:
    """The title, or for an untitled item the first words of its text."""
    title = " ".join(item.title.split())
    if title:
        return title[:300], None
    words = Truncator(html.strip_tags(item.content)).words(8, truncate="…")
    made = " ".join(words.split()) or UNTITLED
    return made[:300], f"it has no title; titled “{made}”."


def _would_loop(category: Category, parent: Category) -> bool:
    seen, current = {category.pk}, parent
    while current is not None:
        if current.pk in seen:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def _category_path(term: wxr.Term, terms: list[wxr.Term]) -> str:
    """WordPress's nested category address: parent/child."""
    parents = {t.slug: t.parent_slug for t in terms if t.taxonomy == "category"}
    slugs, slug, seen = [], term.slug, set()
    while slug and slug not in seen:
        seen.add(slug)
        slugs.append(unquote(slug))
        slug = parents.get(slug, "")
    return "/".join(reversed(slugs))


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return f"{type(error).__name__}: {error}"
