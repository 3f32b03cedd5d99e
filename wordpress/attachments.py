"""A WordPress site's pictures brought into the media library, and bodies pointed at them.

An export names each attachment by its address on the old site. `AttachmentSource`
finds the file in a copy of the site's uploads folder, or downloads it when the operator
allows — from public addresses only: the export is not trusted, and an address like
http://169.254.169.254/ or http://localhost:6379/ must not make the server fetch from
its own network. The host is resolved once, every address it resolves to is checked, and
the connection goes to the checked address (so a second DNS answer cannot point it
elsewhere); a redirect is checked the same way before it is followed.

`import_picture` passes the bytes through the media library's own pipeline (decoded,
stripped of camera and place data, renditions made), and `rewrite_pictures` replaces
each picture in a converted body by the library's marker for it.
"""

import hashlib
import ipaddress
import re
import socket
import time
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import urllib3
from django.core.files.base import ContentFile
from django.db import transaction

from blog.html import clean_article_html, strip_tags
from media import processing
from media import services as media_services
from media.models import Image
from wordpress.content import Element, find_all, parse, serialize, top_level_blocks

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_REDIRECTS = 3
# A whole download may take this many times the timeout (which bounds each wait), so a
# server sending a byte now and then cannot hold the import.
DOWNLOAD_DEADLINE_FACTOR = 6
_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_UPLOADS = "/wp-content/uploads/"
# Jetpack's image CDN: https://i0.wp.com/example.org/wp-content/uploads/…
_PHOTON_HOST = re.compile(r"^i\d\.wp\.com$")
# WordPress's copies of an upload: boat-300x200.jpg (a size), boat-scaled.jpg (the
# attachment's own file when the original was large; its sizes are named after boat.jpg).
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
_SCALED_SUFFIX = re.compile(r"-(?:scaled|rotated)(?=\.[A-Za-z0-9]+$)")


class AttachmentUnavailable(Exception):
    """An attachment that could not be had; the message says why, for the import report."""


class AttachmentSource:
    """Where an import gets an attachment's bytes: `media_dir` (a copy of the site's
    wp-content/uploads) first, then, if `download`, the web."""

    def __init__(
        self,
        *,
        media_dir: Path | None,
        download: bool,
        allowed_hosts: frozenset[str] = frozenset(),
        timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ):
        self.media_dir = Path(media_dir).resolve() if media_dir is not None else None
        self.download = download
        # Hosts the operator vouches for: fetched even at a private or loopback address.
        self.allowed_hosts = frozenset(host.lower() for host in allowed_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes

    def fetch(self, url: str) -> bytes:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AttachmentUnavailable(f"{url}: only http and https addresses are fetched")
        if self.media_dir is not None:
            path = self._local_path(url, parts.path)
            if path is not None and path.is_file():
                return self._read_file(url, path)
        if not self.download:
            where = f"not in {self.media_dir}" if self.media_dir else "no media folder given"
            raise AttachmentUnavailable(f"{url}: {where}, and downloading is off")
        return self._download(url)

    # --- The uploads folder -------------------------------------------------------------

    def _local_path(self, url: str, url_path: str) -> Path | None:
        path = unquote(url_path)
        relative = path.split(_UPLOADS, 1)[1] if _UPLOADS in path else path
        parts = PurePosixPath(relative).parts
        if not relative.strip("/"):
            return None  # the site's root: no file to look for
        if "\x00" in relative or ".." in parts or "\\" in relative:
            raise AttachmentUnavailable(f"{url}: refused, the path leaves the media folder")
        candidate = self.media_dir.joinpath(*(part for part in parts if part != "/")).resolve()
        # resolve() follows links, so a link pointing out of the folder is refused too.
        if not candidate.is_relative_to(self.media_dir):
            raise AttachmentUnavailable(f"{url}: refused, the path leaves the media folder")
        return candidate

    def _read_file(self, url: str, path: Path) -> bytes:
        try:
            with path.open("rb") as file:
                data = file.read(self.max_bytes + 1)
        except OSError as error:
            raise AttachmentUnavailable(f"{url}: {path} cannot be read ({error})") from None
        if len(data) > self.max_bytes:
            raise AttachmentUnavailable(f"{url}: larger than {self.max_bytes} bytes")
        return data

    # --- The web ------------------------------------------------------------------------

    def _download(self, url: str) -> bytes:
        deadline = time.monotonic() + self.timeout * DOWNLOAD_DEADLINE_FACTOR
        for _ in range(MAX_REDIRECTS + 1):
            pool = self._pool(url)
            # Closed after each hop, so no socket outlives the fetch.
            with pool, closing(self._get(pool, url)) as response:
                if response.status in _REDIRECTS and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise AttachmentUnavailable(f"{url}: redirected to a refused address")
                    continue
                if response.status != 200:
                    raise AttachmentUnavailable(f"{url}: the server answered {response.status}")
                return self._read_response(url, response, deadline)
        raise AttachmentUnavailable(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _pool(self, url: str) -> urllib3.HTTPConnectionPool:
        """A pool of one connection to the checked address of `url`'s host."""
        parts = urlsplit(url)
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise AttachmentUnavailable(f"{url}: the port is not a number") from None
        address = self._checked_address(url, host, port)
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout)
        if parts.scheme == "https":
            # Connected to the checked address, the certificate is still checked against
            # the host's name (and the name is sent for SNI).
            return urllib3.HTTPSConnectionPool(
                address, port, timeout=timeout, retries=False, maxsize=1,
                cert_reqs="CERT_REQUIRED", server_hostname=host, assert_hostname=host,
            )  # fmt: skip
        return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)

    def _get(self, pool: urllib3.HTTPConnectionPool, url: str) -> urllib3.BaseHTTPResponse:
        parts = urlsplit(url)
        host, port = parts.hostname, pool.port
        default_port = port == (443 if parts.scheme == "https" else 80)
        name = f"[{host}]" if ":" in host else host  # an IPv6 address is bracketed
        headers = {
            "Host": name if default_port else f"{name}:{port}",
            "User-Agent": "Broadsheet WordPress import",
        }
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            return pool.urlopen(
                "GET",
                target,
                headers=headers,
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.TimeoutError:
            raise AttachmentUnavailable(
                f"{url}: no answer within {self.timeout:g} seconds"
            ) from None
        except urllib3.exceptions.HTTPError as error:
            raise AttachmentUnavailable(f"{url}: could not be downloaded ({error})") from None

    def _checked_address(self, url: str, host: str, port: int) -> str:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise AttachmentUnavailable(f"{url}: the host {host} is not known") from None
        addresses = list(dict.fromkeys(info[4][0] for info in found))
        if not addresses:
            raise AttachmentUnavailable(f"{url}: the host {host} is not known")
        if host.lower() not in self.allowed_hosts:
            for address in addresses:
                if not _is_public(address):
                    raise AttachmentUnavailable(
                        f"{url}: refused, {host} is at a private or local address "
                        f"({address}); allow the host to fetch from it"
                    )
        return addresses[0]

    def _read_response(self, url: str, response, deadline: float) -> bytes:
        too_large = AttachmentUnavailable(f"{url}: larger than {self.max_bytes} bytes")
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise too_large
        received = bytearray()
        try:
            for chunk in response.stream(_CHUNK):
                received += chunk
                if len(received) > self.max_bytes:
                    raise too_large
                if time.monotonic() > deadline:
                    raise AttachmentUnavailable(f"{url}: the download took too long")
        except urllib3.exceptions.TimeoutError:
            raise AttachmentUnavailable(
                f"{url}: no answer within {self.timeout:g} seconds"
            ) from None
        except urllib3.exceptions.HTTPError as error:
            raise AttachmentUnavailable(f"{url}: the download broke off ({error})") from None
        return bytes(received)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone is no part of it
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


# --- Into the media library -------------------------------------------------------------


def picture_description(*, filename: str, title: str, alt: str, caption: str) -> dict:
    """A library picture's title, alt text and caption from an attachment's."""
    title = (title.strip() or Path(filename).stem or "Picture")[:200]
    return {
        "title": title,
        # The library requires alt text; WordPress often has none, and the title is
        # what the editor named the picture.
        "alt_text": (alt.strip() or title)[:300],
        "caption": strip_tags(caption),
    }


def import_picture(*, data: bytes, filename: str, title: str, alt: str, caption: str,
                   uploaded_by=None, existing: Image | None = None) -> Image:  # fmt: skip
    """The library picture for an attachment's bytes, described as WordPress describes it.

    The bytes go through the media library's pipeline (checked by decoding, camera and
    place data removed, renditions after commit). The same picture is stored once: a
    re-import, or a second attachment of the same file, finds it and brings its title,
    alt text and caption up to date. `existing` is what an earlier run made of this
    attachment; if the file has changed in WordPress since, a new picture is made and
    `existing` is left alone (articles may still show it). Raises AttachmentUnavailable
    when the media library refuses the file.
    """
    described = picture_description(filename=filename, title=title, alt=alt, caption=caption)
    digest = hashlib.sha256(data).hexdigest()
    if existing is not None and existing.content_hash == digest:
        image = existing
    else:
        image = Image.objects.filter(content_hash=digest).first()
    if image is None:
        try:
            image, _ = media_services.image_get_or_create(
                file=ContentFile(data, name=filename), uploaded_by=uploaded_by, **described
            )
        except processing.ImageRefused as error:
            raise AttachmentUnavailable(f"{filename}: {' '.join(error.messages)}") from None
        return image
    changed = [name for name, value in described.items() if getattr(image, name) != value]
    if changed:
        for name in changed:
            setattr(image, name, described[name])
        with transaction.atomic():
            image.full_clean()
            image.save(update_fields=changed)
    return image


# --- Bodies -----------------------------------------------------------------------------


def upload_key(url: str) -> str:
    """What identifies an upload across the addresses a body may use for it: http or
    https, with or without a query, through Jetpack's CDN, or after the site moved to
    another domain (the path under wp-content/uploads)."""
    parts = urlsplit(url.strip())
    host, path = (parts.hostname or ""), unquote(parts.path)
    if _PHOTON_HOST.match(host):
        host, _, rest = path.lstrip("/").partition("/")
        path = "/" + rest
    if _UPLOADS in path:
        return path.split(_UPLOADS, 1)[1]
    return f"{host}{path}"


def _pictures_by_key(pictures: Mapping[str, Image]) -> dict[str, Image]:
    by_key: dict[str, Image] = {}
    for url, image in pictures.items():
        by_key[upload_key(url)] = image
    for url, image in pictures.items():
        # boat-scaled.jpg is also known as boat.jpg, unless an upload has that name.
        by_key.setdefault(_SCALED_SUFFIX.sub("", upload_key(url)), image)
    return by_key


def _picture_for(src: str, by_key: Mapping[str, Image]) -> Image | None:
    """The picture `src` shows: its upload, or the upload it is a size of. The exact
    name first: image-600x400.jpg may be an upload of its own, not a size of image.jpg."""
    key = upload_key(src)
    for candidate in (key, _SIZE_SUFFIX.sub("", key), _SCALED_SUFFIX.sub("", key)):
        if (image := by_key.get(candidate)) is not None:
            return image
    return None


def rewrite_pictures(html: str, pictures: Mapping[str, Image]) -> tuple[str, list[str]]:
    """`html` (from `content.convert_body`) with each picture replaced by the library's
    marker for it (media/body.py), the post's caption kept; and the addresses of the
    pictures not in `pictures`, which are removed (their caption stays as a paragraph),
    so that no article shows a broken image."""
    by_key = _pictures_by_key(pictures)
    missing: list[str] = []
    blocks: list[Element] = []
    for block in top_level_blocks(parse(html)):
        images = list(find_all([block], "img")) if block.tag == "figure" else []
        if not images:
            blocks.append(block)
            continue
        src = images[0].attrs.get("src", "")
        captions = [node for node in block.children
                    if isinstance(node, Element) and node.tag == "figcaption"]  # fmt: skip
        image = _picture_for(src, by_key)
        if image is not None:
            blocks.append(Element("figure", {"data-media-id": str(image.pk)}, captions[:1]))
            continue
        if src not in missing:
            missing.append(src)
        blocks.extend(Element("p", {}, caption.children) for caption in captions[:1])
    return clean_article_html(serialize(blocks)), missing
