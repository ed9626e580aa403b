from django.urls import path

from dcim.reports import views

app_name = "reports"

# The page has a JSON twin under api/ with the same data and the same login rule; so does
# the preview of each report.
urlpatterns = [
    path("", views.page, name="list"),
    path("api/", views.page_api, name="list_api"),
    path("subscriptions/new/", views.create_subscription, name="create"),
    path("subscriptions/<int:pk>/send/", views.send_now, name="send_now"),
    path("subscriptions/<int:pk>/edit/", views.edit_subscription, name="edit"),
    path("subscriptions/<int:pk>/enabled/", views.set_enabled, name="set_enabled"),
    path("subscriptions/<int:pk>/delete/", views.delete_subscription, name="delete"),
    path("preview/<slug:report>/<slug:site>/", views.preview, name="preview"),
    path("preview/<slug:report>/<slug:site>/api/", views.preview_api, name="preview_api"),
    path("preview/<slug:report>/<slug:site>/pdf/", views.preview_pdf, name="preview_pdf"),
    path("archive/<int:pk>.pdf", views.archived_pdf, name="archived_pdf"),
]
