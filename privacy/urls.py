from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_form, name="request"),
    path("check-your-inbox/", views.check_inbox, name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
