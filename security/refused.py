"""The site's answers to a form it refused as a possible forgery (403).

Both show back what the person typed, so nothing is lost: a refused reader can copy it,
go back and send it again from the page itself.
"""

from dataclasses import dataclass

from django.shortcuts import render

# The first words of each page; the tests read the same constants.
SENT_FROM_ANOTHER_SITE = (
    "Your browser told us that this form was sent from another site, not from one of our pages."
)
EXPIRED_FORM = "The form’s security token was missing or had expired."

# Sent fields never shown back: Django's token, the comment form's honeypot (a robot's
# words, and showing it would tell the robot which field gave it away), and what our
# forms send for themselves (hidden inputs, buttons, the "remember me" box, the admin
# login's "next").
NOT_TYPED = frozenset(
    {
        "csrfmiddlewaretoken",
        "url_confirm",
        "comment_parent",
        "source",
        "List-Unsubscribe",
        "submit",
        "wp-comment-cookies-consent",
        "next",
    }
)
# The admin's forms send their own bookkeeping too: buttons (_save, _continue), hidden
# initial values, and each inline formset's management form.
NOT_TYPED_PREFIXES = ("_", "initial-")
NOT_TYPED_SUFFIXES = ("-TOTAL_FORMS", "-INITIAL_FORMS", "-MIN_NUM_FORMS", "-MAX_NUM_FORMS")
# What our public forms call their fields on the page; any other field is named after
# its name ("first_name" is shown as "First name").
LABELS = {
    "comment": "Comment",
    "author": "Name",
    "email": "Email address",
    "url": "Website",
    "kind": "What you asked us to do",
}
# Shown in a textarea, as the form has it: these fields, and any value of several lines
# or longer than LONG_TEXT.
TEXTAREAS = frozenset({"comment"})
LONG_TEXT = 80


@dataclass(frozen=True)
class TypedField:
    name: str
    label: str
    value: str

    @property
    def is_long(self) -> bool:
        return self.name in TEXTAREAS or "\n" in self.value or len(self.value) > LONG_TEXT


def csrf_failure(request, reason=""):
    """Django's CSRF_FAILURE_VIEW: a form that needs Django's token (the admin's) was
    sent without a valid one. `reason` is for developers and Django logs it already."""
    return _refused(request, what_happened=EXPIRED_FORM)


def cross_origin_failure(request, reason=""):
    """A form refused by security.crossorigin: the browser said it was sent from another
    site."""
    return _refused(request, what_happened=SENT_FROM_ANOTHER_SITE)


def _refused(request, *, what_happened: str):
    context = {
        "what_happened": what_happened,
        "sent_from_another_site": what_happened == SENT_FROM_ANOTHER_SITE,
        "typed": typed_fields(request),
    }
    response = render(request, "403_csrf.html", context, status=403)
    # The page holds what one person typed: no cache, shared or their own, keeps it.
    response["Cache-Control"] = "private, no-store"
    return response


def typed_fields(request) -> list[TypedField]:
    """The text the person sent in a POST, field by field, in the order sent: what they
    typed, not what the form sent for itself, and never a password."""
    if request.method != "POST":
        return []
    try:
        sent = request.POST
    except OSError:  # the connection broke while the body was read
        return []
    return [
        TypedField(name=name, label=LABELS.get(name) or _label(name), value=value)
        for name, values in sent.lists()
        if _is_typed(name)
        for value in values
        if value.strip()
    ]


def _is_typed(name: str) -> bool:
    return not (
        name in NOT_TYPED
        or "password" in name.lower()
        or name.startswith(NOT_TYPED_PREFIXES)
        or name.endswith(NOT_TYPED_SUFFIXES)
    )


def _label(name: str) -> str:
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]
