from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("<path:path>/", views.PageView.as_view(), name="page"),
]
