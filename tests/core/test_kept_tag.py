"""{% kept %}: a stretch of template rendered once per site version, for every reader."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory

from core.caching import bump_site_version

pytestmark = pytest.mark.django_db

KEPT = Template('{% load kept %}{% kept "test:greeting" %}Hello {{ name }}{% endkept %}!')


def render(name, request):
    return KEPT.render(Context({"name": name, "request": request}))


def test_kept_stretch_is_rendered_once_per_site_version(page_cache):
    factory = RequestFactory()

    first = render("Ada", factory.get("/"))
    second = render("Grace", factory.get("/"))  # another reader, another context
    bump_site_version()
    third = render("Grace", factory.get("/"))

    assert (first, second, third) == ("Hello Ada!", "Hello Ada!", "Hello Grace!")


def test_kept_stretch_renders_every_time_with_the_cache_off(settings):
    settings.PAGE_CACHE = False
    factory = RequestFactory()

    assert render("Ada", factory.get("/")) == "Hello Ada!"
    assert render("Grace", factory.get("/")) == "Hello Grace!"


def test_kept_stretch_without_a_request_simply_renders(page_cache):
    assert render("Ada", None) == "Hello Ada!"
    assert render("Grace", None) == "Hello Grace!"


@pytest.mark.parametrize("usage", ["{% kept %}", "{% kept name %}", '{% kept "a" "b" %}'])
def test_kept_needs_one_quoted_name(usage):
    with pytest.raises(TemplateSyntaxError, match="Usage"):
        Template("{% load kept %}" + usage + "x{% endkept %}")
