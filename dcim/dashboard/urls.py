from django.urls import path

from dcim.dashboard.views import cooling, devices, floor, gpus, network, overview, racks, search

app_name = "dashboard"

# Every page has a JSON twin under /api/ with the same data and the same login rule.
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("api/overview/", overview.overview_api, name="overview_api"),
    path("api/overview/it-load/", overview.it_load, name="it_load_api"),
    path("floor/", floor.floor, name="floor"),
    path("api/floor/", floor.floor_api, name="floor_api"),
    path("racks/", racks.racks, name="racks"),
    path("api/racks/", racks.racks_api, name="racks_api"),
    path("racks/<int:pk>/", racks.rack, name="rack"),
    path("api/racks/<int:pk>/", racks.rack_api, name="rack_api"),
    path("devices/<int:pk>/", devices.device, name="device"),
    path("api/devices/<int:pk>/", devices.device_api, name="device_api"),
    path("api/devices/<int:pk>/chart/", devices.device_chart, name="device_chart_api"),
    path("gpus/", gpus.gpus, name="gpus"),
    path("api/gpus/", gpus.gpus_api, name="gpus_api"),
    path("network/", network.network, name="network"),
    path("api/network/", network.network_api, name="network_api"),
    path("cooling/", cooling.cooling, name="cooling"),
    path("api/cooling/", cooling.cooling_api, name="cooling_api"),
    path("api/cooling/delta-t/", cooling.delta_t, name="delta_t_api"),
    path("search/", search.search, name="search"),
    path("api/search/", search.search_api, name="search_api"),
]
