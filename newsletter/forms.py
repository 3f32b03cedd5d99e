from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString

from newsletter.models import normalize_email

EMAIL_INVALID = "Enter a valid email address, like name@example.com."
EMAIL_REQUIRED = "Enter your email address."


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"invalid": EMAIL_INVALID, "required": EMAIL_REQUIRED},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "Type your email…"}),
    )
    # The page the box was on: part of the consent record, and where to go back to.
    source = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_source(self):
        source = self.cleaned_data.get("source", "")
        if source.startswith("/") and url_has_allowed_host_and_scheme(source, allowed_hosts=None):
            return source
        return ""

    def render_fields(self) -> SafeString:
        """The hidden source and the email field, with its label and errors.

        Written here rather than in the box's template: the box is on every article
        page, and a dozen lookups through the form's bound fields there cost more than
        the rest of the box."""
        email, source = self["email"], self["source"]
        errors = email.errors
        error_list = ""
        if errors:
            error_list = format_html(
                '\n      <div role="alert"><ul class="errorlist" id="subscribe-email-error">'
                "{}</ul></div>",
                format_html_join("", "<li>{}</li>", ((error,) for error in errors)),
            )
        return format_html(
            '<input type="hidden" name="{}" value="{}" id="{}">\n'
            '    <div class="field subscribe-field{}">\n'
            '      <label for="{}">{}</label>\n'
            '      <input type="email" name="{}" id="{}"\n'
            '             value="{}" maxlength="254" autocomplete="email" required\n'
            '             placeholder="{}"{}>{}\n'
            "    </div>",
            source.html_name, "" if source.value() is None else source.value(), source.auto_id,
            " field-error" if errors else "",
            email.id_for_label, email.label,
            email.html_name, email.id_for_label,
            email.value() or "",
            email.field.widget.attrs["placeholder"],
            format_html(' aria-invalid="true" aria-describedby="{}"', "subscribe-email-error")
            if errors else "",
            error_list,
        )  # fmt: skip
