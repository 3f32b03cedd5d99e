"""The "Leave a Reply" form, with WordPress's field names so habits and tools carry over."""

from django import forms
from django.utils.encoding import iri_to_uri

from blog import html
from comments.models import (
    AUTHOR_EMAIL_MAX_LENGTH,
    AUTHOR_NAME_MAX_LENGTH,
    AUTHOR_URL_MAX_LENGTH,
    BODY_MAX_LENGTH,
    http_url_validator,
)
from core.addresses import EmailAddressField

# What people are told; the tests read the same constants.
COMMENT_REQUIRED = "Please type your comment."
NAME_REQUIRED = "Please type your name."
EMAIL_REQUIRED = "Please type your email address."
EMAIL_INVALID = "Please enter a valid email address."
URL_INVALID = "Please enter a web address that starts with http:// or https://."
COMMENT_TOO_LONG = f"Your comment is too long: at most {BODY_MAX_LENGTH:,} characters."
NAME_TOO_LONG = f"Your name is too long: at most {AUTHOR_NAME_MAX_LENGTH} characters."
EMAIL_TOO_LONG = f"Your email address is too long: at most {AUTHOR_EMAIL_MAX_LENGTH} characters."
URL_TOO_LONG = f"Your website address is too long: at most {AUTHOR_URL_MAX_LENGTH} characters."
HONEYPOT_FILLED = "Your comment could not be sent as it was. Please send it again."
PARENT_INVALID = "The comment you are replying to is no longer available."

CONSENT_FIELD = "wp-comment-cookies-consent"
CONSENT_LABEL = "Save my name, email, and website in this browser for the next time I comment."
HONEYPOT_FIELD = "url_confirm"


class TextField(forms.CharField):
    """A CharField whose value loses the characters no page or feed may hold (control
    characters, see blog/html.py) before it is stripped, checked and measured: a name
    made of them alone is then a missing name. A NUL byte keeps its own refusal at the
    field (Django's ProhibitNullCharactersValidator): it marks a forged request."""

    def to_python(self, value):
        if isinstance(value, str) and "\x00" not in value:
            value = html.remove_control_characters(value)
        return super().to_python(value)


class HoneypotInput(forms.TextInput):
    """The honeypot's input: never shown back filled, so a person whose browser filled
    it can simply send the form again."""

    def format_value(self, value):
        return None


class CommentForm(forms.Form):
    """Rendered by templates/comments/_form.html, field by field."""

    comment = TextField(
        label="Comment",
        max_length=BODY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"cols": 45, "rows": 8, "maxlength": BODY_MAX_LENGTH}),
        error_messages={"required": COMMENT_REQUIRED, "max_length": COMMENT_TOO_LONG},
    )
    author = TextField(
        label="Name",
        max_length=AUTHOR_NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "name", "size": 30}),
        error_messages={"required": NAME_REQUIRED, "max_length": NAME_TOO_LONG},
    )
    email = EmailAddressField(  # cleaned to the stored form (core/addresses.py)
        label="Email",
        max_length=AUTHOR_EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "size": 30}),
        error_messages={
            "required": EMAIL_REQUIRED,
            "invalid": EMAIL_INVALID,
            "max_length": EMAIL_TOO_LONG,
        },
    )
    url = TextField(
        label="Website",
        required=False,
        max_length=AUTHOR_URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"autocomplete": "url", "size": 30}),
        error_messages={"max_length": URL_TOO_LONG},
    )
    comment_parent = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput, initial=0,
        error_messages={"invalid": PARENT_INVALID, "min_value": PARENT_INVALID},
    )  # fmt: skip
    # Real browsers leave it empty: it is hidden from people (CSS) and from assistive
    # technology (aria-hidden on its wrapper), and has no autofill name.
    url_confirm = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=HoneypotInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")  # WordPress's ids: #comment, #author, #email…
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields[CONSENT_FIELD] = forms.BooleanField(label=CONSENT_LABEL, required=False)

    @property
    def consent_field(self):
        return self[CONSENT_FIELD]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url:
            return ""
        if "://" not in url:
            url = f"https://{url}"  # "example.org" means the site, as browsers read it
        try:
            http_url_validator(url)
        except forms.ValidationError:
            raise forms.ValidationError(URL_INVALID, code="invalid") from None
        # Characters a URL may not hold as they are (quotes, spaces, non-ASCII) are
        # percent-encoded, so the stored link is a valid href.
        url = iri_to_uri(url)
        if len(url) > AUTHOR_URL_MAX_LENGTH:
            raise forms.ValidationError(URL_TOO_LONG, code="max_length")
        return url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("url_confirm"):
            # Said at the top of the form: the trap itself is hidden, and a spam robot
            # learns nothing about which field gave it away.
            raise forms.ValidationError(HONEYPOT_FILLED, code="honeypot")
        return cleaned

    def clean_comment_parent(self):
        return self.cleaned_data["comment_parent"] or None

    @property
    def wants_cookies(self) -> bool:
        return bool(self.cleaned_data.get(CONSENT_FIELD))
