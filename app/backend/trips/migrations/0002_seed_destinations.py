"""Data migration: a starter set of destinations, so ``migrate`` alone seeds.

Idempotent by name (update_or_create), and reversible: going back removes
only the seeded destinations that no trip uses.
"""

from django.db import migrations

STARTER_DESTINATIONS = [
    ("Lisbon", "Portugal", "Hilly streets, yellow trams, custard tarts and Atlantic light."),
    ("Kyoto", "Japan", "Temples, gardens and wooden townhouses in Japan's old capital."),
    ("Reykjavik", "Iceland", "Gateway to geysers, glaciers and the northern lights."),
    ("Marrakesh", "Morocco", "Souks, riads and the Atlas Mountains on the horizon."),
    ("New York", "United States", "Museums, parks and neighbourhoods that never sleep."),
    ("Cape Town", "South Africa", "Table Mountain, penguins and the Cape winelands."),
    ("Buenos Aires", "Argentina", "Tango, steakhouses and grand boulevards."),
    ("Hanoi", "Vietnam", "Street food, lakes and a base for Ha Long Bay."),
    ("Edinburgh", "United Kingdom", "A castle on a volcano, closes and the Highlands nearby."),
    ("Queenstown", "New Zealand", "Lakes, mountains and adventure sports."),
    ("Istanbul", "Turkey", "Bazaars, mosques and ferries between two continents."),
    ("Vancouver", "Canada", "Mountains and ocean in one city, with Stanley Park."),
]


def seed(apps, schema_editor):
    Destination = apps.get_model("trips", "Destination")
    for name, country, description in STARTER_DESTINATIONS:
        Destination.objects.update_or_create(
            name=name, defaults={"country": country, "description": description}
        )


def unseed(apps, schema_editor):
    Destination = apps.get_model("trips", "Destination")
    names = [name for name, _country, _description in STARTER_DESTINATIONS]
    Destination.objects.filter(name__in=names, trips__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("trips", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
