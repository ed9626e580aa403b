from django.urls import path

from dcim.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("live.json", views.live, name="live"),
    path("silences/", views.silence_list, name="silences"),
    path("silences/<int:pk>/expire/", views.expire_silence, name="expire_silence"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/ack/", views.acknowledge, name="ack"),
    path("<int:pk>/silence/", views.silence, name="silence"),
]
