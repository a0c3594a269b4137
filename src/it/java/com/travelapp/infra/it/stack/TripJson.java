package com.travelapp.infra.it.stack;

import com.google.gson.JsonObject;

/** The body of POST /api/trips/, as the app's form sends it. */
final class TripJson {
    private TripJson() {
    }

    static String trip(String title, int index, int destination) {
        JsonObject trip = new JsonObject();
        int month = index % 12 + 1;
        trip.addProperty("title", title);
        trip.addProperty("destination", destination);
        trip.addProperty("start_date", String.format("2027-%02d-01", month));
        trip.addProperty("end_date", String.format("2027-%02d-%02d", month, index % 27 + 2));
        trip.addProperty("travellers", index % 20 + 1);
        trip.addProperty("notes", "Notes with 'quotes', \"double\", \\ and a\nnewline ".repeat(index % 5));
        return trip.toString();
    }
}
