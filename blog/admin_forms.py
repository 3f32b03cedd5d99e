"""The article form of the admin: a visual editor for the body, a title wide enough for a
long headline, and the slug shown inside the permalink it will give.

The editor is django-prose-editor (Tiptap/ProseMirror, maintained, sanitizes with nh3 like
this site). Whatever it sends, the body is cleaned on save by the site's own allow-list
(`Article.save` calls `blog.html.clean_article_html`): the editor decides what can be typed,
the server decides what is stored.
"""

from html.parser import HTMLParser

from django import forms
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.widgets import AdminProseEditorWidget

from blog.models import Article

# The editor's features, by django-prose-editor's extension names. Everything it can write
# is inside blog/html.py's ARTICLE_TAGS (tests/blog/test_editor.py checks it). Headings start
# at h2: the headline is the page's h1.
BODY_EXTENSIONS = {
    "Paragraph": True,
    "Text": True,
    "HardBreak": True,
    "Heading": {"levels": [2, 3, 4, 5, 6]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Code": True,
    "CodeBlock": True,
    # No "open in a new window": the site keeps neither target nor the editor's rel.
    "Link": {"enableTarget": False},
    "BulletList": True,
    # No list styles (a, i, …): the site keeps `start` but not `type`.
    "OrderedList": {"enableListAttributes": False},
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    # Keeps the <img> of imported bodies (it has no button: pictures come from the library).
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "HTML": True,
}
# Ours, in static/js/body-editor.js: the media library's picture marker (media/body.py),
# `<figure data-media-id="12">` with an optional `<figcaption>`.
PICTURE_EXTENSIONS = {"MediaPicture": True, "MediaCaption": True}
PICTURE_TAGS = {"figure": {"data-media-id"}, "figcaption": set()}
# The editor reads these and writes their modern equal (<strong>, <em>): the page looks the same.
EQUIVALENT_TAGS = {"b": "strong", "i": "em"}


def editor_allowlist() -> dict[str, set[str]]:
    """What the visual editor keeps of a body: tag -> attributes."""
    allowed = allowlist_from_extensions(BODY_EXTENSIONS)
    kept = {tag: set(allowed["attributes"].get(tag, ())) for tag in allowed["tags"]}
    for tag, attributes in PICTURE_TAGS.items():
        kept.setdefault(tag, set()).update(attributes)
    for tag, equal in EQUIVALENT_TAGS.items():
        kept[tag] = kept[equal]
    return kept


class _MarkupCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.found.add(tag)
        self.found.update(f"{tag}[{name}]" for name, _value in attrs)
        if tag == "figure" and not any(name == "data-media-id" for name, _value in attrs):
            # A figure of its own (an imported <img> with a caption), not a library picture.
            self.found.add("figure without data-media-id")


def markup_beyond_editor(html: str) -> list[str]:
    """The tags and attributes of `html` that the visual editor would drop on an edit."""
    kept = editor_allowlist()
    collector = _MarkupCollector()
    collector.feed(html or "")
    collector.close()
    beyond = set()
    for item in collector.found:
        tag, _bracket, attribute = item.partition("[")
        attribute = attribute.rstrip("]")
        if " " in item or tag not in kept or (attribute and attribute not in kept[tag]):
            beyond.add(item)
    return sorted(beyond)


BODY_HELP = (
    "Pasted text keeps its words; styles, scripts, embedded frames and anything else outside "
    "the site's allowed tags are removed on save."
)
BEYOND_EDITOR_HELP = (
    "This text uses markup the visual editor would not keep ({markup}), so it is shown as "
    "HTML: nothing is lost. Anything outside the site's allowed tags is still removed on save."
)


class BodyEditorWidget(AdminProseEditorWidget):
    """django-prose-editor with the site's features, the library's pictures and a button
    to pick one."""

    template_name = "blog/widgets/body_editor.html"

    def __init__(self, attrs=None):
        super().__init__(
            attrs=attrs,
            config={"extensions": BODY_EXTENSIONS | PICTURE_EXTENSIONS},
            preset="configurable",
        )

    def get_config(self):
        # The package's documented way to add a JS extension is a setting listing its module
        # (DJANGO_PROSE_EDITOR_EXTENSIONS); this widget carries its own, so that every admin
        # using it gets the pictures without a project-wide setting.
        config = super().get_config()
        return config | {"js_modules": [*config["js_modules"], static("js/body-editor.js")]}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picture_lookup_url"] = reverse("admin:media_image_changelist")
        if markup := markup_beyond_editor(value if isinstance(value, str) else ""):
            # An edit in the editor would drop this markup (an imported <dl>, say): show the
            # HTML instead, so that nothing stored is lost by opening and saving it.
            del context["widget"]["attrs"][f"data-django-prose-editor-{self.preset}"]
            context["widget"]["attrs"]["data-beyond-editor"] = " ".join(markup)
            context["widget"]["attrs"]["rows"] = 24
            context["beyond_editor_help"] = BEYOND_EDITOR_HELP.format(markup=", ".join(markup))
        return context

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/admin-editor.css"]})


def body_editor_widget() -> BodyEditorWidget:
    """The visual editor for an HTML body cleaned by `blog.html.clean_article_html`, for any
    admin form (articles, pages): `widgets = {"body": body_editor_widget()}`."""
    return BodyEditorWidget()


class PermalinkSlugInput(forms.TextInput):
    """The slug field, with the address it gives shown around it, updated as one types."""

    template_name = "blog/widgets/slug_permalink.html"
    SLUG_PLACEHOLDER = "slug-placeholder"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "vTextField editor-slug", **(attrs or {})})
        self.day = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        day = self.day or timezone.localdate()
        path = reverse(
            "blog:article-detail",
            kwargs={
                "year": day.year,
                "month": f"{day.month:02d}",
                "day": f"{day.day:02d}",
                "slug": self.SLUG_PLACEHOLDER,
            },
        )
        before, _placeholder, after = path.partition(self.SLUG_PLACEHOLDER)
        context["permalink_before"] = settings.SITE_URL + before
        context["permalink_after"] = after
        return context

    class Media:
        js = ["js/slug-permalink.js"]


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        # The admin's fieldsets choose the fields shown; these are the ones this form shapes.
        fields = ("title", "slug", "body")
        widgets = {
            "title": forms.TextInput(attrs={"class": "vTextField editor-title", "size": 80}),
            "slug": PermalinkSlugInput(),
            "body": body_editor_widget(),
        }
        help_texts = {"body": BODY_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without a publication time, publishing stamps "now", so the address to show is
        # today's (the widget's default), not the day the draft was created.
        if "slug" in self.fields and self.instance.published_at is not None:
            self.fields["slug"].widget.day = self.instance.permalink_date
