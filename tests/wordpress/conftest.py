"""The WordPress import's test environment.

Until the body conversion and the picture fetching (wordpress/content.py and
wordpress/attachments.py, another branch's work) are on this branch, stand-ins with the
same interface take their place here, and only here: the importer's tests are about
what the importer does with what those return.
"""

import importlib.util
import io
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

SAMPLE = Path("/work/shared/wxr/themeunittestdata.wordpress.xml")


def _stand_in_content():
    module = types.ModuleType("wordpress.content")

    @dataclass
    class ConvertedBody:
        html: str
        warnings: list
        excerpt_html: str | None

    def convert_body(raw):
        before, more, _after = raw.partition("<!--more-->")
        return ConvertedBody(raw.replace("<!--more-->", ""), [], before if more else None)

    module.ConvertedBody, module.convert_body = ConvertedBody, convert_body
    return module


def _stand_in_attachments():
    module = types.ModuleType("wordpress.attachments")

    class AttachmentUnavailable(Exception):
        pass

    class AttachmentSource:
        def __init__(self, *, media_dir, download, allowed_hosts=frozenset(), timeout=10.0,
                     max_bytes=None):  # fmt: skip
            self.media_dir, self.download = media_dir, download

        def fetch(self, url):
            if self.media_dir is not None:
                relative = urlsplit(url).path.partition("/wp-content/uploads/")[2]
                path = Path(self.media_dir) / relative
                if relative and path.is_file():
                    return path.read_bytes()
            raise AttachmentUnavailable(f"{url} is not in the media folder")

    def import_picture(*, data, filename, title, alt, caption, uploaded_by=None, existing=None):
        from django.core.files import File

        from media import services

        image, _changed = services.image_get_or_create(
            file=File(io.BytesIO(data), name=filename), title=title, alt_text=alt,
            caption=caption, uploaded_by=uploaded_by,
        )  # fmt: skip
        return image

    def rewrite_pictures(html, pictures):
        missing = []

        def replace(match):
            if match["src"] in pictures:
                return match[0]
            missing.append(match["src"])
            return ""

        return re.sub(r'<img [^>]*src="(?P<src>[^"]+)"[^>]*>', replace, html), missing

    module.AttachmentUnavailable, module.AttachmentSource = AttachmentUnavailable, AttachmentSource
    module.import_picture, module.rewrite_pictures = import_picture, rewrite_pictures
    return module


for _name, _make in (("content", _stand_in_content), ("attachments", _stand_in_attachments)):
    if importlib.util.find_spec(f"wordpress.{_name}") is None:
        sys.modules[f"wordpress.{_name}"] = _make()
        import wordpress

        setattr(wordpress, _name, sys.modules[f"wordpress.{_name}"])


@pytest.fixture
def sample_export():
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not on this machine")
    return SAMPLE
