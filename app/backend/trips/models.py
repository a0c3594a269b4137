from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

TITLE_MAX_LENGTH = 200
NOTES_MAX_LENGTH = 5000
MIN_TRAVELLERS = 1
MAX_TRAVELLERS = 20


class Destination(models.Model):
    name = models.CharField(max_length=120, unique=True)
    country = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.country}"


class Trip(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="trips")
    start_date = models.DateField()
    end_date = models.DateField()
    travellers = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_TRAVELLERS), MaxValueValidator(MAX_TRAVELLERS)]
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    # Moves on with every change; a write that names an older one is refused (409)
    # instead of overwriting what it never saw. db_default: the previous release's
    # pods, which know nothing of it, keep inserting during a rolling update.
    version = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "id"]
        # The list's ORDER BY ... LIMIT reads the first rows of this index instead of sorting every trip.
        indexes = [models.Index(fields=["start_date", "id"], name="trip_list_order")]
        constraints = [
            # The API validates these first; the database refuses them too.
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="trip_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(travellers__gte=MIN_TRAVELLERS, travellers__lte=MAX_TRAVELLERS),
                name="trip_travellers_1_to_20",
            ),
        ]

    def __str__(self) -> str:
        return self.title
