from rest_framework import serializers

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


class DestinationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Destination
        fields = ["id", "name", "country", "description"]


class TripSerializer(serializers.ModelSerializer):
    title = serializers.CharField(
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": "Give the trip a title.",
            "blank": "Give the trip a title.",
            "null": "Give the trip a title.",
            "max_length": f"Keep the title to at most {TITLE_MAX_LENGTH} characters.",
        },
    )
    destination = serializers.PrimaryKeyRelatedField(
        queryset=Destination.objects.all(),
        error_messages={
            "required": "Choose a destination.",
            "null": "Choose a destination.",
            "does_not_exist": "Unknown destination {pk_value}.",
            "incorrect_type": "Destination must be a destination id (integer), got {data_type}.",
        },
    )
    destination_name = serializers.CharField(source="destination.name", read_only=True)
    destination_country = serializers.CharField(source="destination.country", read_only=True)
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

    class Meta:
        model = Trip
        fields = [
            "id",
            "title",
            "destination",
            "destination_name",
            "destination_country",
            "start_date",
            "end_date",
            "travellers",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        # On PATCH only some fields arrive: compare against the stored ones.
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"end_date": ["End date cannot be before the start date."]})
        return attrs
