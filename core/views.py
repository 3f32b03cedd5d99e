from django.shortcuts import render


def csrf_failure(request, reason=""):
    """The site's 403 for a form sent without a valid CSRF token (cookies blocked, a page
    left open for too long). What the person wrote is shown back, so nothing is lost."""
    typed = request.POST.get("comment", "") if request.method == "POST" else ""
    return render(request, "403_csrf.html", {"typed": typed}, status=403)
