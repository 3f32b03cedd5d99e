"""Small WordPress exports for tests, written as WordPress's Tools > Export writes them.

Each builder returns the XML of one element; `wxr_document` wraps them in a channel and
`write_wxr` puts the document in a file. Text goes in CDATA sections, as WordPress puts it.
"""

from pathlib import Path
from xml.sax.saxutils import quoteattr

WXR_NAMESPACES = {
    # WordPress 6 writes https, older releases http; both must be read.
    "1.2": ("https://wordpress.org/export/1.2/", "https://wordpress.org/export/1.2/excerpt/"),
    "1.1": ("http://wordpress.org/export/1.1/", "http://wordpress.org/export/1.1/excerpt/"),
}
OLD_SITE = "https://old.example.org"


def cdata(text) -> str:
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def author(login="jo", *, wp_id=1, email=None, display_name="Jo Writer", first_name="Jo",
           last_name="Writer") -> str:  # fmt: skip
    email = email if email is not None else f"{login}@old.example.org"
    return f"""<wp:author><wp:author_id>{wp_id}</wp:author_id>
<wp:author_login>{cdata(login)}</wp:author_login>
<wp:author_email>{cdata(email)}</wp:author_email>
<wp:author_display_name>{cdata(display_name)}</wp:author_display_name>
<wp:author_first_name>{cdata(first_name)}</wp:author_first_name>
<wp:author_last_name>{cdata(last_name)}</wp:author_last_name></wp:author>"""


def category(slug, name=None, *, wp_id, parent="", description="") -> str:
    return f"""<wp:category><wp:term_id>{wp_id}</wp:term_id>
<wp:category_nicename>{cdata(slug)}</wp:category_nicename>
<wp:category_parent>{cdata(parent)}</wp:category_parent>
<wp:cat_name>{cdata(name or slug.title())}</wp:cat_name>
<wp:category_description>{cdata(description)}</wp:category_description></wp:category>"""


def tag(slug, name=None, *, wp_id, description="") -> str:
    return f"""<wp:tag><wp:term_id>{wp_id}</wp:term_id>
<wp:tag_slug>{cdata(slug)}</wp:tag_slug><wp:tag_name>{cdata(name or slug)}</wp:tag_name>
<wp:tag_description>{cdata(description)}</wp:tag_description></wp:tag>"""


def comment(wp_id, *, author_name="A Reader", email="reader@example.net", url="",
            ip="192.0.2.7", date_gmt="2024-03-02 10:00:00", date="2024-03-02 11:00:00",
            text="A fine article.", approved="1", comment_type="", parent=0,
            user_id=0) -> str:  # fmt: skip
    return f"""<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>
<wp:comment_author>{cdata(author_name)}</wp:comment_author>
<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>
<wp:comment_author_url>{url}</wp:comment_author_url>
<wp:comment_author_IP>{ip}</wp:comment_author_IP>
<wp:comment_date>{date}</wp:comment_date><wp:comment_date_gmt>{date_gmt}</wp:comment_date_gmt>
<wp:comment_content>{cdata(text)}</wp:comment_content>
<wp:comment_approved>{cdata(approved)}</wp:comment_approved>
<wp:comment_type>{cdata(comment_type)}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>{user_id}</wp:comment_user_id></wp:comment>"""


def item(wp_id, title="A post", *, post_type="post", status="publish", slug=None,
         date_gmt="2024-03-01 09:30:00", date="2024-03-01 10:30:00", body="<p>Hello.</p>",
         excerpt="", creator="jo", parent=0, menu_order=0, sticky=False, link=None,
         terms=(), meta=None, comments=(), attachment_url="") -> str:  # fmt: skip
    """A post, a page or an attachment. `terms` are (domain, nicename, name); `meta` maps
    keys to values (a list for a repeated key)."""
    slug = slug if slug is not None else title.lower().replace(" ", "-")
    link = link if link is not None else f"{OLD_SITE}/2024/03/01/{slug}/"
    categories = "".join(
        f"<category domain={quoteattr(domain)} nicename={quoteattr(nicename)}>{cdata(name)}"
        "</category>"
        for domain, nicename, name in terms
    )
    metas = ""
    for key, values in (meta or {}).items():
        for value in values if isinstance(values, list) else [values]:
            metas += (
                f"<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
                f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>"
            )
    attachment = f"<wp:attachment_url>{cdata(attachment_url)}</wp:attachment_url>"
    return f"""<item><title>{cdata(title)}</title><link>{link}</link>
<dc:creator>{cdata(creator)}</dc:creator>
<content:encoded>{cdata(body)}</content:encoded>
<excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
<wp:post_id>{wp_id}</wp:post_id>
<wp:post_date>{cdata(date)}</wp:post_date><wp:post_date_gmt>{cdata(date_gmt)}</wp:post_date_gmt>
<wp:comment_status>open</wp:comment_status><wp:post_name>{cdata(slug)}</wp:post_name>
<wp:status>{cdata(status)}</wp:status><wp:post_parent>{parent}</wp:post_parent>
<wp:menu_order>{menu_order}</wp:menu_order><wp:post_type>{cdata(post_type)}</wp:post_type>
<wp:is_sticky>{int(sticky)}</wp:is_sticky>
{attachment if attachment_url else ""}{categories}{metas}{"".join(comments)}</item>"""


def wxr_document(*elements, version="1.2", site=OLD_SITE, authors=None) -> str:
    """A channel holding `elements`; one declared author, jo, unless `authors` says."""
    wp, excerpt = WXR_NAMESPACES.get(version, WXR_NAMESPACES["1.2"])
    authors = [author()] if authors is None else authors
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="{excerpt}" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="{wp}">
<channel><title>Old site</title><link>{site}</link><description>News</description>
<language>en</language><wp:wxr_version>{version}</wp:wxr_version>
<wp:base_site_url>{site}</wp:base_site_url><wp:base_blog_url>{site}</wp:base_blog_url>
{"".join(authors)}{"".join(elements)}
</channel></rss>
"""


def write_wxr(folder: Path, *elements, name="export.xml", **options) -> Path:
    path = Path(folder) / name
    path.write_text(wxr_document(*elements, **options), encoding="utf-8")
    return path
