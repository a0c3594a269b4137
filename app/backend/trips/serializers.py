import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from operator import attrgetter

from rest_framework import exceptions, serializers

from trips.models import (
    MAX_TRAVELLERS,
    MIN_TRAVELLERS,
    NOTES_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Destination,
    Trip,
)

_DATE_ERRORS = {
    "required": "Pick a date.",
    "null": "Pick a date.",
    "invalid": "Enter a date as YYYY-MM-DD.",
}
END_BEFORE_START = "End date cannot be before the start date."
_VERSION_RULE = "Version must be the trip's version as the API returned it (a whole number from 1)"

# A trip as the API shows it, from the columns of one row (the list reads these
# straight from its query; one trip reads them from its model instance).
TRIP_COLUMNS = (
    "id",
    "title",
    "destination_id",
    "destination__name",
    "destination__country",
    "start_date",
    "end_date",
    "travellers",
    "notes",
    "version",
    "created_at",
    "updated_at",
)
_trip_attributes = attrgetter(*(column.replace("__", ".") for column in TRIP_COLUMNS))


def _iso_utc(value: dt.datetime) -> str:
    """DRF's DateTimeField format with TIME_ZONE = "UTC": ISO 8601 in UTC, "Z" for +00:00."""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat()[:-6] + "Z"


def trip_json(row) -> dict:
    """One trip as JSON-ready data, from a row of TRIP_COLUMNS (extra trailing columns are ignored).

    Written out rather than left to DRF's generic fields: a page of 20 trips spent
    most of its time there (docs/benchmarks.md). tests/test_trip_representation.py
    holds it equal to what DRF's fields produce."""
    (id_, title, destination_id, destination_name, destination_country, start_date, end_date,
     travellers, notes, version, created_at, updated_at, *_) = row  # fmt: skip
    return {
        "id": id_,
        "title": title,
        "destination": destination_id,
        "destination_name": destination_name,
        "destination_country": destination_country,
        "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(),
        "travellers": travellers,
        "notes": notes,
        "version": version,
        "created_at": _iso_utc(created_at),
        "updated_at": _iso_utc(updated_at),
    }


def as_json(value) -> str:
    """A client's value as it would have written it in JSON, for error messages."""
    try:
        return json.dumps(value, ensure_ascii=False)[:100]
    except (TypeError, ValueError):
        return repr(value)[:100]


def whole_number(value) -> int | None:
    """value as an int if it is one (7, 7.0 or "7"), else None (7.5, true, "7.5", [7])."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,18}", value.strip()):
        return int(value)
    return None


def _invisible(char: str) -> bool:
    # Whitespace, and format characters (Unicode category Cf: zero-width space and
    # joiners, word joiner, BOM, soft hyphen, direction marks) draw nothing.
    return char.isspace() or unicodedata.category(char) in ("Cf", "Cc", "Zs", "Zl", "Zp")


def require_a_visible_character(title: str) -> None:
    if title and all(_invisible(c) for c in title):
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED')}" for c in dict.fromkeys(title))
        raise serializers.ValidationError(
            "Give the trip a title with at least one visible character; "
            f"this one has only invisible ones ({names})."
        )


class DestinationField(serializers.PrimaryKeyRelatedField):
    """A destination id; 7.5 is refused (the database lookup would have truncated it to 7)."""

    def to_internal_value(self, data):
        pk = whole_number(data)
        if pk is None:
            self.fail("incorrect_type", value=as_json(data))
        return super().to_internal_value(pk)


class VersionField(serializers.IntegerField):
    def to_internal_value(self, data):
        version = whole_number(data)
        if version is None or version < 1:
            self.fail("invalid", value=as_json(data))
        return version


class VersionConflict(exceptions.APIException):
    status_code = 409
    default_code = "conflict"

    def __init__(self, sent: int, current: Trip):
        super().__init__()
        # Set after __init__, which would turn every value (version numbers too) into a string.
        self.detail = {
            "detail": (
                f"This trip was changed by someone else after you loaded it (you sent version {sent}, "
                f"it is now at version {current.version}). "
                "Reload it to see the changes, then make yours again."
            ),
            "current": TripSerializer(current).data,
        }


class DestinationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Destination
        fields = ["id", "name", "country", "description"]


class TripSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH,
        validators=[require_a_visible_character],
        error_messages={
            "required": "Give the trip a title.",
            "blank": "Give the trip a title.",
            "null": "Give the trip a title.",
            "max_length": f"Keep the title to at most {TITLE_MAX_LENGTH} characters.",
        },
    )
    destination = DestinationField(
        queryset=Destination.objects.all(),
        error_messages={
            "required": "Choose a destination.",
            "null": "Choose a destination.",
            "does_not_exist": "Unknown destination {pk_value}.",
            "incorrect_type": "Destination must be a destination id (a whole number), got {value}.",
        },
    )
    travellers = serializers.IntegerField(
        min_value=MIN_TRAVELLERS,
        max_value=MAX_TRAVELLERS,
        error_messages={
            "required": "Enter the number of travellers (1 to 20).",
            "null": "Enter the number of travellers (1 to 20).",
            "invalid": "Enter a whole number of travellers.",
            "min_value": f"A trip needs between {MIN_TRAVELLERS} and {MAX_TRAVELLERS} travellers.",
            "max_value": f"A trip needs between {MIN_TRAVELLERS} and {MAX_TRAVELLERS} travellers.",
        },
    )
    start_date = serializers.DateField(error_messages=_DATE_ERRORS)
    end_date = serializers.DateField(error_messages=_DATE_ERRORS)
    notes = serializers.CharField(max_length=NOTES_MAX_LENGTH, allow_blank=True, required=False, default="")
    # The version the client last read. Required to replace a trip (PUT), checked
    # when given on PATCH; a stale one is a 409 (VersionConflict), not a lost update.
    version = VersionField(
        required=False,
        error_messages={
            "required": (
                'Send the version of the trip you are replacing (its "version" when you loaded it), '
                "so that a change someone made meanwhile is not overwritten."
            ),
            "null": f"{_VERSION_RULE}, got null.",
            "invalid": f"{_VERSION_RULE}, got {{value}}.",
        },
    )

    class Meta:
        model = Trip
        fields = ["title", "destination", "start_date", "end_date", "travellers", "notes", "version"]

    def get_fields(self):
        fields = super().get_fields()
        fields["version"].required = self.instance is not None and not self.partial
        return fields

    def to_representation(self, trip):
        return trip_json(_trip_attributes(trip))

    def to_internal_value(self, data):
        # DRF runs validate() only once every field is valid, so the date order
        # showed up only after the other errors were fixed. Check it alongside them.
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if (
                isinstance(data, Mapping)
                and isinstance(exc.detail, Mapping)
                and self._end_before_start(data, exc.detail)
            ):
                raise serializers.ValidationError({**exc.detail, "end_date": [END_BEFORE_START]})
            raise
        if self._end_before_start(data, {}):
            raise serializers.ValidationError({"end_date": [END_BEFORE_START]})
        return attrs

    def _end_before_start(self, data: Mapping, errors: Mapping) -> bool:
        """Both dates known and valid (sent now, or stored when a PATCH leaves one out), end first."""
        dates = []
        for name in ("start_date", "end_date"):
            if name in errors:
                return False
            if name in data:
                dates.append(self.fields[name].to_internal_value(data[name]))
            elif self.instance is not None:
                dates.append(getattr(self.instance, name))
            else:
                return False
        start, end = dates
        return end < start

    def validate(self, attrs):
        sent = attrs.pop("version", None)
        if self.instance is not None and sent is not None and sent != self.instance.version:
            raise VersionConflict(sent, self.instance)
        return attrs

    def update(self, trip, validated_data):
        # Only the fields sent are written (a PATCH of the title must not write back
        # the notes it read). The view holds the row lock, so the version it read
        # is the one stored.
        for name, value in validated_data.items():
            setattr(trip, name, value)
        trip.version += 1
        trip.save(update_fields=[*validated_data, "version", "updated_at"])
        return trip
