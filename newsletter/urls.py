from django.urls import path

from newsletter import views, webhooks

app_name = "newsletter"

urlpatterns = [
    path("subscribe/", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path(
        "mail-events/<str:secret>/<slug:provider>/tracking/",
        webhooks.tracking,
        name="mail-events",
    ),
]
