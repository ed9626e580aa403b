"""Choices as classes: one place for every enumerated value in the inventory."""

from django.db import models


class Airflow(models.TextChoices):
    FRONT_TO_REAR = "front-to-rear", "Front to rear"
    REAR_TO_FRONT = "rear-to-front", "Rear to front"
    SIDE_TO_SIDE = "side-to-side", "Side to side"
    LIQUID = "liquid", "Liquid cooled"
    PASSIVE = "passive", "Passive"


class RackStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    RESERVED = "reserved", "Reserved"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


class RoomKind(models.TextChoices):
    HALL = "hall", "Data hall"
    ROOM = "room", "Room"
    CAGE = "cage", "Cage"
    PLANT = "plant", "Plant room"


class DeviceRole(models.TextChoices):
    GPU_SERVER = "gpu_server", "GPU server"
    CPU_SERVER = "cpu_server", "CPU server"
    STORAGE = "storage", "Storage"
    SWITCH = "switch", "Switch"
    ROUTER = "router", "Router"
    FIREWALL = "firewall", "Firewall"
    PDU = "pdu", "PDU"
    UPS = "ups", "UPS"
    CRAH = "crah", "CRAH"
    CRAC = "crac", "CRAC"
    CHILLER = "chiller", "Chiller"
    CDU = "cdu", "CDU"
    POWER_METER = "power_meter", "Power meter"
    ENV_SENSOR = "env_sensor", "Environment sensor"
    GENERATOR = "generator", "Generator"
    PATCH_PANEL = "patch_panel", "Patch panel"
    OTHER = "other", "Other"


# Roles that are cooling plant: they live in a room or the site, rarely in a rack.
COOLING_ROLES = {DeviceRole.CRAH, DeviceRole.CRAC, DeviceRole.CHILLER, DeviceRole.CDU}
# Roles whose outlets feed other devices.
POWER_SOURCE_ROLES = {DeviceRole.PDU, DeviceRole.UPS}


class DeviceStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    MAINTENANCE = "maintenance", "Maintenance"
    FAILED = "failed", "Failed"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


class RackFace(models.TextChoices):
    FRONT = "front", "Front"
    REAR = "rear", "Rear"


class NetworkLayer(models.TextChoices):
    CORE = "core", "Core"
    AGGREGATION = "aggregation", "Aggregation"
    ACCESS = "access", "Access"
    SPINE = "spine", "Spine"
    LEAF = "leaf", "Leaf"
    MANAGEMENT = "management", "Management"


class Fabric(models.TextChoices):
    ETHERNET = "ethernet", "Ethernet"
    INFINIBAND = "infiniband", "InfiniBand"
    ROCE = "roce", "RoCE"


class FeedSide(models.TextChoices):
    A = "A", "A"
    B = "B", "B"


class FeedPhase(models.TextChoices):
    SINGLE = "single", "Single phase"
    THREE = "three", "Three phase"


class FeedSupply(models.TextChoices):
    AC = "ac", "AC"
    DC = "dc", "DC"


class FeedStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    FAILED = "failed", "Failed"
    OFFLINE = "offline", "Offline"


class LinkStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    CONNECTED = "connected", "Connected"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


class CredentialKind(models.TextChoices):
    SNMP_V2C = "snmp_v2c", "SNMP v2c"
    SNMP_V3 = "snmp_v3", "SNMP v3"
    MODBUS = "modbus", "Modbus TCP"


class SnmpAuthProtocol(models.TextChoices):
    NONE = "none", "None (noAuthNoPriv)"
    MD5 = "md5", "HMAC-MD5"
    SHA = "sha", "HMAC-SHA-1"
    SHA224 = "sha224", "HMAC-SHA-224"
    SHA256 = "sha256", "HMAC-SHA-256"
    SHA384 = "sha384", "HMAC-SHA-384"
    SHA512 = "sha512", "HMAC-SHA-512"


class SnmpPrivProtocol(models.TextChoices):
    NONE = "none", "None (authNoPriv)"
    DES = "des", "DES"
    AES128 = "aes128", "AES-128"
    AES192 = "aes192", "AES-192"
    AES256 = "aes256", "AES-256"
