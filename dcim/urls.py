from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dcim.dashboard.views import health

admin.site.site_header = "DCIM administration"
admin.site.site_title = "DCIM admin"

urlpatterns = [
    path("health", health, name="health"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("alerts/", include("dcim.alerts.urls")),
    path("energy/", include("dcim.energy.urls", namespace="energy")),
    path("maintenance/", include("dcim.maintenance.urls", namespace="maintenance")),
    path("ha/", include("dcim.availability.urls", namespace="availability")),
    path("reports/", include("dcim.reports.urls", namespace="reports")),
    path("", include("dcim.dashboard.urls")),
]
