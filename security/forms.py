"""The admin's sign-in form, with the lengths it accepts stated."""

from django.contrib.admin.forms import AdminAuthenticationForm

# No real password is longer, and hashing a longer one is work an attacker chooses.
PASSWORD_MAX_LENGTH = 4096


class AdminLoginForm(AdminAuthenticationForm):
    """Django's admin sign-in form, refusing an over-long username or password with its
    usual error before anything authenticates.

    Django's form gives the username field a max_length only as an HTML attribute, so
    any length reached `authenticate()`, and django-axes then recorded the failure in a
    255-character column: a 500 on PostgreSQL. No account has such a name or password,
    so nothing is counted against the client for it; the answer is the one for a wrong
    password.
    """

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if (
            len(username) > self.fields["username"].max_length
            or len(password) > PASSWORD_MAX_LENGTH
        ):
            raise self.get_invalid_login_error()
        return super().clean()
