"""What a picture upload costs, next to Pillow alone doing the least it could.

Target (issue 13): uploading and processing a 24-megapixel JPEG through the site — the
admin's upload request (multipart body, the decode check, orientation, stripping,
storing the original, the row) — takes under 3 × what Pillow alone takes to open the
same file, apply its orientation, drop its metadata and save it once, measured side by
side in alternating rounds; and its memory stays bounded (the peak resident size of the
process doing it). The renditions (every width and format) are the task the upload
enqueues: a worker makes them in production (TASKS_BACKEND=database, as here), the
request itself with the immediate backend. They are timed on their own, and the sum is
what an upload costs with the immediate backend.

Each run happens in a process of its own (forked), which reports its time and its peak
resident memory (VmHWM) above what it started with, so one run's garbage does not weigh
on the next. The photo is made here with Pillow: 6000 × 4000, with GPS tags.

It also shows the other target, "no Python per request once made": a rendition's URL
is a file under MEDIA_ROOT, which nginx serves from disk (deploy/nginx/broadsheet.conf,
`location /media/`); tests/deploy/test_nginx.py proves it with the app stopped.

    python bench/bench_media.py            # BENCH_ROUNDS=3 by default
"""

import io
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

import harness

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "media.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WIDTH, HEIGHT = 6000, 4000


def make_photo() -> bytes:
    """A 24-megapixel JPEG that compresses like a photo (smooth sky, textured ground,
    detail), carrying camera and GPS EXIF as a phone's would."""
    from PIL import Image, ImageDraw, ImageFilter

    sky = Image.linear_gradient("L").resize((WIDTH, HEIGHT)).convert("RGB")
    sky = Image.merge("RGB", (sky.getchannel(0).point(lambda v: 90 + v // 3),) * 2 + (
        sky.getchannel(0).point(lambda v: 200 - v // 4),))  # fmt: skip
    grain = Image.effect_noise((WIDTH // 4, HEIGHT // 4), 48).resize((WIDTH, HEIGHT))
    grain = grain.filter(ImageFilter.GaussianBlur(1.2)).convert("RGB")
    photo = Image.blend(sky, grain, 0.25)
    draw = ImageDraw.Draw(photo)
    for i in range(60):
        x, y = (i * 977) % WIDTH, HEIGHT // 2 + (i * 613) % (HEIGHT // 2)
        draw.rectangle((x, y, x + 300, y + 120), fill=(80 + i, 70, 60 + i))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 15"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (50.0, 26.0, 12.5), 3: "E", 4: (30.0, 31.0, 5.2)})
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def pillow_alone(photo: bytes) -> None:
    from PIL import Image, ImageOps

    picture = Image.open(io.BytesIO(photo))
    ImageOps.exif_transpose(picture, in_place=True)
    picture.info = {}
    picture.save(io.BytesIO(), "JPEG", quality=90)


def site_upload(photo: bytes, number: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from media.models import Image

    client = Client()
    client.force_login(_chief())
    response = client.post(
        reverse("admin:media_image_add"),
        {
            "upload": SimpleUploadedFile(f"photo{number}.jpg", photo, "image/jpeg"),
            "title": f"Bench photo {number}",
            "alt_text": "A harbour at dawn",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert Image.objects.filter(title=f"Bench photo {number}").exists()


def site_renditions(number: int) -> None:
    from media.models import Image
    from media.tasks import make_image_renditions

    image = Image.objects.get(title=f"Bench photo {number}")
    # The task's function itself, as a worker calls it.
    assert make_image_renditions.call(image.pk) > 0


def _chief():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="chief")


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _child(task, args, queue):
    from django.db import connections

    connections.close_all()
    start_rss = _rss_kib()
    started = time.perf_counter()
    task(*args)
    queue.put((time.perf_counter() - started, max(0, _peak_kib() - start_rss)))


def in_child(task, *args) -> tuple[float, int]:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(task, args, queue))
    process.start()
    seconds, peak = queue.get(timeout=300)
    process.join()
    if process.exitcode:
        raise SystemExit(f"a run failed (exit code {process.exitcode})")
    return seconds, peak


def main() -> dict:
    media_root = tempfile.mkdtemp(prefix="bench-media-files-")
    workdir = harness.django_on_a_new_database(
        "bench-media-", MEDIA_ROOT=media_root, TASKS_BACKEND="database"
    )
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connections

    get_user_model().objects.create_superuser("chief", "chief@example.org", "x")
    connections.close_all()

    # Made in a process of its own: Pillow keeps freed image memory for reuse, which
    # forked runs would inherit and not count.
    photo_path = Path(workdir, "photo.jpg")
    in_child(lambda: photo_path.write_bytes(make_photo()))
    photo = photo_path.read_bytes()
    pillow, site, made = [], [], []
    for number in range(ROUNDS):
        pillow.append(in_child(pillow_alone, photo))
        # A byte after the end of the picture: another file, as the library takes a
        # picture once.
        site.append(in_child(site_upload, photo + bytes([number]), number))
        made.append(in_child(site_renditions, number))

    def median(runs, index):
        return statistics.median(run[index] for run in runs)

    stored = sum(f.stat().st_size for f in Path(media_root).rglob("*") if f.is_file())
    return {
        "photo": f"{WIDTH}x{HEIGHT} JPEG, {len(photo) / 1e6:.1f} MB, with GPS EXIF",
        "rounds": ROUNDS,
        "rendition formats": ["/".join([*settings.MEDIA_RENDITION_FORMATS, "jpeg"])],
        "rendition widths": settings.MEDIA_RENDITION_WIDTHS,
        "pillow alone: open, orient, strip, save (s)": round(median(pillow, 0), 3),
        "site: admin upload request (s)": round(median(site, 0), 3),
        "ratio upload / pillow (target < 3)": round(median(site, 0) / median(pillow, 0), 2),
        "renditions task (s)": round(median(made, 0), 3),
        "ratio upload + renditions / pillow": round(
            (median(site, 0) + median(made, 0)) / median(pillow, 0), 2
        ),
        "peak memory, pillow alone (MiB)": round(median(pillow, 1) / 1024, 1),
        "peak memory, upload request (MiB)": round(median(site, 1) / 1024, 1),
        "peak memory, renditions task (MiB)": round(median(made, 1) / 1024, 1),
        "stored per picture, all files (MB)": round(stored / ROUNDS / 1e6, 2),
    }


if __name__ == "__main__":
    results = main()
    width = max(map(len, results))
    for label, figure in results.items():
        print(f"{label:<{width}}  {figure}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
