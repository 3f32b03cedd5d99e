from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, for logins that come with a request.

    Axes refuses any authentication without a request; a login without one (the test
    client's `login()`, a shell session, a management command) is not from the open web,
    so there is nothing to count and it passes through to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
