"""Library pictures in articles: the featured image, pictures in the text, and deleting
a picture something still shows."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse

from blog.models import MISSING_PICTURE_MESSAGE, Article
from media.models import Image
from tests.factories.blog import ArticleFactory
from tests.factories.media import ImageFactory, picture_bytes, upload

pytestmark = pytest.mark.django_db


def test_a_picture_placed_in_the_text_shows_with_its_caption_and_credit(client):
    image = ImageFactory(caption="HMS Example leaves Portsmouth.", credit="Jane Roe / Agency",
                         alt_text="A grey warship leaving harbour")  # fmt: skip
    article = ArticleFactory(body=f"First paragraph.\n\n{image.body_marker}\n\nLast paragraph.")

    page = client.get(article.get_absolute_url()).text

    assert '<figure class="picture"><picture><source type="image/avif"' in page
    assert 'alt="A grey warship leaving harbour"' in page
    assert "HMS Example leaves Portsmouth." in page
    assert '<span class="credit">Jane Roe / Agency</span>' in page
    assert page.index("First paragraph.") < page.index("<picture>") < page.index("Last paragraph.")
    assert "data-media-id" not in page


def test_an_article_may_give_a_picture_a_caption_of_its_own(client):
    image = ImageFactory(caption="The library's caption.")
    marker = (
        f'<figure data-media-id="{image.pk}"><figcaption>Ours, <em>here</em>.</figcaption></figure>'
    )
    article = ArticleFactory(body=f"Intro.\n\n{marker}")

    page = client.get(article.get_absolute_url()).text

    assert "<figcaption>Ours, <em>here</em>. <span" in page
    assert "The library's caption." not in page


def test_an_edited_caption_shows_on_cached_pages_at_once(client, page_cache, run_on_commit):
    image = ImageFactory(caption="Before.")
    article = ArticleFactory(body=f"Intro.\n\n{image.body_marker}")
    assert "Before." in client.get(article.get_absolute_url()).text

    image.caption = "After."
    run_on_commit(image.save)

    assert "After." in client.get(article.get_absolute_url()).text


def test_a_marker_naming_no_picture_is_refused_in_the_admin(editor_client):
    response = editor_client.post(
        reverse("admin:blog_article_add"),
        {
            "title": "With a typo",
            "slug": "with-a-typo",
            "body": 'Intro.\n\n<figure data-media-id="999999"></figure>',
            "status": "draft",
            "related_links-TOTAL_FORMS": "0",
            "related_links-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert MISSING_PICTURE_MESSAGE.format(ids="999999") in errors
    assert not Article.objects.exists()


def test_an_editor_picks_a_featured_image_from_the_library(editor_client, editor):
    image = ImageFactory(title="Harbour at dawn")

    response = editor_client.post(
        reverse("admin:blog_article_add"),
        {
            "title": "With a picture",
            "slug": "with-a-picture",
            "featured_image": str(image.pk),
            "body": "Text.",
            "status": "draft",
            "author": str(editor.pk),
            "related_links-TOTAL_FORMS": "0",
            "related_links-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Article.objects.get().featured_image == image


def test_the_picker_is_the_library_with_thumbnails(editor_client):
    ImageFactory(title="Harbour at dawn")

    page = editor_client.get(reverse("admin:media_image_changelist") + "?_to_field=id&_popup=1")

    assert page.status_code == 200
    assert "data-popup-opener" in page.text
    assert '<img src="/media/images/' in page.text


def test_a_featured_image_cannot_be_deleted(editor_client, stored_files):
    image = ImageFactory(title="Harbour at dawn")
    ArticleFactory(title="Fleet news", featured_image=image)
    files = stored_files()

    page = editor_client.get(reverse("admin:media_image_delete", args=[image.pk]))
    editor_client.post(reverse("admin:media_image_delete", args=[image.pk]), {"post": "yes"})

    assert "Fleet news" in page.text
    assert "would require deleting the following protected" in page.text
    assert Image.objects.filter(pk=image.pk).exists()
    assert stored_files() == files


def test_a_picture_in_an_articles_text_cannot_be_deleted(editor_client, stored_files):
    image = ImageFactory(title="Harbour at dawn")
    ArticleFactory(title="Fleet news", body=f"Intro.\n\n{image.body_marker}")
    files = stored_files()

    page = editor_client.get(reverse("admin:media_image_delete", args=[image.pk]))
    editor_client.post(reverse("admin:media_image_delete", args=[image.pk]), {"post": "yes"})

    assert "Fleet news (shows “Harbour at dawn” in its text)" in page.text
    assert Image.objects.filter(pk=image.pk).exists()
    assert stored_files() == files
    with pytest.raises(ProtectedError):
        image.delete()  # the shell too


def test_deleting_an_unused_picture_removes_its_files(editor_client, run_on_commit, stored_files):
    image = ImageFactory()
    assert stored_files()

    response = run_on_commit(
        lambda: editor_client.post(
            reverse("admin:media_image_delete", args=[image.pk]), {"post": "yes"}
        )
    )

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert stored_files() == set()


def test_the_library_is_searched_by_title_caption_credit_and_alt_text(editor_client):
    ImageFactory(title="Frigate", caption="At Kiel", credit="Reuters", alt_text="Grey ship")
    ImageFactory(title="Tank", caption="On parade", credit="AP", alt_text="A tank")
    url = reverse("admin:media_image_changelist")

    for words in ("Frigate", "Kiel", "Reuters", "grey ship"):
        page = editor_client.get(url, {"q": words}).text
        assert "Frigate" in page, words
        assert "Tank" not in page, words


def test_an_editor_uploads_to_the_library(editor_client):
    page = editor_client.get(reverse("admin:media_image_add"))

    assert page.status_code == 200
    assert 'type="file"' in page.text
    assert "image/avif" in page.text  # the file chooser offers pictures


def test_moving_the_focal_point_cuts_the_teasers_again(editor_client, run_on_commit, stored_files):
    # A square picture: its 3:2 teaser leaves out a band the focal point decides.
    image = ImageFactory(file=upload(picture_bytes(1000, 1000)), focal_x=0.5, focal_y=0.5)
    teasers = {r["name"] for r in image.renditions if r["crop"]}
    data = {"title": image.title, "alt_text": image.alt_text, "caption": image.caption,
            "credit": image.credit, "focal_x": "0.5", "focal_y": "0.05"}  # fmt: skip

    response = run_on_commit(
        lambda: editor_client.post(reverse("admin:media_image_change", args=[image.pk]), data)
    )

    assert response.status_code == 302
    image.refresh_from_db()
    new_teasers = {r["name"] for r in image.renditions if r["crop"]}
    assert new_teasers and not new_teasers & teasers
    assert not teasers & stored_files()
