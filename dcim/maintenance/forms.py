"""Operator forms: a window (with the safety check's reason), a checklist item, an
attachment, and the transitions' confirmations."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from dcim.inventory.choices import COOLING_ROLES
from dcim.inventory.models import Device, PowerFeed, PowerPanel, Rack, Room
from dcim.maintenance.attachments import ALLOWED_WORDS, human, max_bytes, validate_attachment
from dcim.maintenance.choices import ItemKind, ItemResult
from dcim.maintenance.models import ChecklistItem, ChecklistTemplate, MaintenanceWindow

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WindowForm(forms.ModelForm):
    """A window's fields. Times are entered in the site's zone: the view parses them with
    the site's zone active. Devices are named (comma-separated) rather than picked from a
    list of thousands; unknown names are refused by name."""

    device_names = forms.CharField(
        label="Devices",
        required=False,
        help_text="Device names, comma-separated.",
        widget=forms.TextInput(attrs={"size": 60, "list": "device-names"}),
    )
    template = forms.ModelChoiceField(
        ChecklistTemplate.objects.all(),
        required=False,
        help_text="The work order's checklist (new windows only).",
    )
    safety_reason = forms.CharField(
        label="Reason to proceed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the safety check warns.",
    )

    class Meta:
        model = MaintenanceWindow
        fields = [
            "site",
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "racks",
            "rooms",
            "power_panels",
            "power_feeds",
            "cooling_units",
            "vendor",
            "contact",
            "work_order_number",
            "notes",
        ]
        widgets = {"starts_at": LOCAL, "ends_at": LOCAL}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].help_text = "Site time."
        self.fields["racks"].queryset = Rack.objects.select_related("room").order_by("name")
        self.fields["rooms"].queryset = Room.objects.order_by("name")
        self.fields["power_panels"].queryset = PowerPanel.objects.order_by("name")
        self.fields["power_feeds"].queryset = PowerFeed.objects.select_related("panel")
        self.fields["cooling_units"].queryset = Device.objects.filter(
            role__in=sorted(COOLING_ROLES)
        ).order_by("name")
        if self.instance.pk:
            del self.fields["template"]
            self.initial.setdefault(
                "device_names", ", ".join(self.instance.devices.values_list("name", flat=True))
            )

    def clean_device_names(self) -> list[Device]:
        names = [n.strip() for n in self.cleaned_data["device_names"].split(",") if n.strip()]
        found = {d.name: d for d in Device.objects.filter(name__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise ValidationError(f"No device named {', '.join(unknown)}.")
        return [found[n] for n in dict.fromkeys(names)]

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("device_names", *self.Meta.fields[5:10])):
            raise ValidationError(
                "Name at least one asset: a device, rack, room, panel, feed or cooling unit."
            )
        return data

    def asset_ids(self) -> dict[str, set[int]]:
        d = self.cleaned_data
        out = {k: {o.pk for o in d.get(k) or []} for k in self.Meta.fields[5:10]}
        out["devices"] = {o.pk for o in d.get("device_names") or []}
        return out

    def save(self, commit: bool = True) -> MaintenanceWindow:
        window = super().save(commit=commit)
        if commit:
            window.devices.set(self.cleaned_data["device_names"])
        return window


class ItemForm(forms.ModelForm):
    """One checklist item's result: pass or fail, a measured value, a note."""

    result = forms.ChoiceField(choices=[c for c in ItemResult.choices])

    class Meta:
        model = ChecklistItem
        fields = ["result", "value", "note"]
        widgets = {"note": forms.TextInput(attrs={"size": 40})}

    def clean(self):
        data = super().clean()
        item = self.instance
        done = data.get("result") != ItemResult.OPEN
        if item.kind == ItemKind.MEASURE and done and data.get("value") is None:
            self.add_error("value", f"Enter the measured value ({item.unit or 'no unit'}).")
        if data.get("result") == ItemResult.FAIL and not (data.get("note") or "").strip():
            self.add_error("note", "Say what failed: a failed item needs a note.")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )
    description = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{ALLOWED_WORDS}, at most {human(max_bytes())}."

    def clean_file(self):
        f = self.cleaned_data["file"]
        self.content_type = validate_attachment(f)
        return f
