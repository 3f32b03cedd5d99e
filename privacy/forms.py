from django import forms

from core.addresses import EmailAddressField
from newsletter.forms import EMAIL_INVALID  # one wording for a bad address on both forms
from privacy.models import PrivacyRequest

EMAIL_REQUIRED = "Enter the email address the request is about."
KIND_REQUIRED = "Choose what you would like us to do."


class PrivacyRequestForm(forms.Form):
    email = EmailAddressField(  # cleaned to the stored form (core/addresses.py)
        label="Email address",
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID, "required": EMAIL_REQUIRED},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    kind = forms.ChoiceField(
        label="What would you like us to do?",
        choices=[
            (PrivacyRequest.Kind.EXPORT, "Send me a copy of everything you hold about me"),
            (PrivacyRequest.Kind.ERASE, "Erase everything you hold about me"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": KIND_REQUIRED, "invalid_choice": KIND_REQUIRED},
    )
