"""Structured data for search engines and link previews: schema.org's NewsArticle.

https://schema.org/NewsArticle; Google reads headline, datePublished, dateModified,
author and publisher. Values are plain data; the template tag in
templatetags/sharing.py serialises them safely.
"""

from blog import archives
from blog.models import Article
from media.renditions import rendition
from media.templatetags.pictures import absolute_url

# Google asks for a NewsArticle image at least 1200 px wide (when the original has it).
IMAGE_WIDTH = 1200


def _image(article: Article) -> list[dict]:
    image = article.featured_image
    if image is None:
        return []
    made = rendition(image, IMAGE_WIDTH, "jpeg")
    data = {
        "@type": "ImageObject",
        "url": absolute_url(made.url),
        "width": made.width,
        "height": made.height,
        "caption": image.caption,
        "creditText": image.credit,
    }
    return [{key: value for key, value in data.items() if value not in (None, "")}]


def article_json_ld(article: Article, *, site_name: str, site_url: str) -> dict:
    url = f"{site_url}{article.get_absolute_url()}"
    publisher = {"@type": "Organization", "name": site_name, "url": f"{site_url}/"}
    if article.author:
        author = {
            "@type": "Person",
            "name": archives.author_name(article.author),
            "url": f"{site_url}{archives.author_url(article.author)}",
        }
    else:
        author = publisher
    published = article.published_at or article.created_at
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.excerpt,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": published.isoformat() if published else None,
        "dateModified": (article.updated_at or published).isoformat() if published else None,
        "author": [author],
        "publisher": publisher,
        "articleSection": [category.name for category in article.categories.all()],
        "keywords": [tag.name for tag in article.tags.all()],
        "image": _image(article),
    }
    return {key: value for key, value in data.items() if value not in (None, "", [])}
