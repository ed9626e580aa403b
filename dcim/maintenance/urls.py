from django.urls import path

from dcim.maintenance import views

app_name = "maintenance"

# The page has a JSON twin under api/ with the same data and the same login rule.
urlpatterns = [
    path("", views.page, name="list"),
    path("api/", views.page_api, name="list_api"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/start/", views.transition, {"action": "start"}, name="start"),
    path("<int:pk>/finish/", views.transition, {"action": "finish"}, name="finish"),
    path("<int:pk>/cancel/", views.transition, {"action": "cancel"}, name="cancel"),
    path("<int:pk>/work-order/complete/", views.complete, name="complete"),
    path("<int:pk>/work-order/assign/", views.assign, name="assign"),
    path("<int:pk>/work-order/attachments/", views.upload, name="upload"),
    path("items/<int:pk>/", views.item, name="item"),
    path("attachments/<int:pk>/", views.download, name="download"),
    path("calendar/", views.tokens, name="tokens"),
    path("calendar/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("calendar/<slug:slug>.ics", views.feed, name="feed"),
]
