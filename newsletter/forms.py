from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from core.addresses import EmailAddressField

EMAIL_INVALID = "Enter a valid email address, like name@example.com."
EMAIL_REQUIRED = "Enter your email address."


class SubscribeForm(forms.Form):
    email = EmailAddressField(  # cleaned to the stored form (core/addresses.py)
        label="Email address",
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID, "required": EMAIL_REQUIRED},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "Type your email…"}),
    )
    # The page the box was on: part of the consent record, and where to go back to.
    source = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_source(self):
        source = self.cleaned_data.get("source", "")
        if source.startswith("/") and url_has_allowed_host_and_scheme(source, allowed_hosts=None):
            return source
        return ""
