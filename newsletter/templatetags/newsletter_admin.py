"""The newsletter's part of the editors' desk: the dashboard's sign-ups and the last
newsletter's delivery counts, on the admin index."""

from django import template

from newsletter.models import Mailing, Subscriber

register = template.Library()

DASHBOARD_SIGNUPS = 5


@register.inclusion_tag("admin/newsletter/_dashboard.html", takes_context=True)
def dashboard_newsletter(context):
    """The latest sign-ups (newest consent first, their state beside them) and the last
    newsletter with its deliveries counted by state: two queries, each skipped for an
    editor who may not see it."""
    user = context.request.user
    can_see_subscribers = user.has_perm("newsletter.view_subscriber")
    can_see_mailings = user.has_perm("newsletter.view_mailing")
    return {
        "can_see_subscribers": can_see_subscribers,
        "signups": list(Subscriber.objects.all()[:DASHBOARD_SIGNUPS])
        if can_see_subscribers
        else [],
        "can_see_mailings": can_see_mailings,
        "mailing": Mailing.objects.with_counts().newest_first().select_related("article").first()
        if can_see_mailings
        else None,
    }
