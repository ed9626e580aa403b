from django.urls import path

from dcim.availability import views

app_name = "availability"

# Each page has a JSON twin under api/ with the same data and the same login rule.
urlpatterns = [
    path("", views.page, name="list"),
    path("api/", views.page_api, name="page_api"),
    path("groups/<slug:slug>/", views.group_page, name="group"),
    path("groups/<slug:slug>/api/", views.group_api, name="group_api"),
    path("plans/<int:pk>/", views.plan_page, name="plan"),
    path("plans/<int:pk>/api/", views.plan_api, name="plan_api"),
    path("failovers/new/", views.failover_new, name="failover_new"),
    path("failovers/<int:pk>/", views.failover_detail, name="failover"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("webhook/<str:name>/", views.receive, name="webhook"),
]
