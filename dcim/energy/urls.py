from django.urls import path

from dcim.energy import views

app_name = "energy"

# The page has a JSON twin under api/ with the same data and the same login rule.
urlpatterns = [
    path("", views.overview, name="overview"),
    path("api/", views.overview_api, name="overview_api"),
    path("export.csv", views.export_csv, name="export"),
]
