package com.travelapp.infra.settings;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cron schedules a Kubernetes CronJob accepts (the standard five fields and the @ shorthands
 * of the robfig/cron parser the controller uses), checked here so that a typo is reported by
 * {@code pulumi preview} with the field at fault instead of by the API server halfway through
 * {@code pulumi up}.
 */
final class CronSchedule {
    private static final Set<String> SHORTHANDS = Set.of("@yearly", "@annually", "@monthly", "@weekly", "@daily",
            "@midnight", "@hourly");
    private static final List<Field> FIELDS = List.of(
            new Field("minute", 0, 59, List.of()),
            new Field("hour", 0, 23, List.of()),
            new Field("day-of-month", 1, 31, List.of()),
            new Field("month", 1, 12, List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
            new Field("day-of-week", 0, 6, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")));
    private static final Pattern ITEM = Pattern.compile("(?<range>\\*|[0-9A-Za-z]+(?:-[0-9A-Za-z]+)?)(?:/(?<step>[0-9]+))?");

    private record Field(String name, int min, int max, List<String> names) {
        /** The value of a number or a name (names count from {@code min}); null when neither. */
        Integer valueOf(String text) {
            if (text.chars().allMatch(Character::isDigit)) {
                return text.length() > 4 ? null : Integer.parseInt(text);
            }
            int index = names.indexOf(text.toUpperCase(Locale.ROOT));
            return index < 0 ? null : min + index;
        }
    }

    private CronSchedule() {}

    /** What is wrong with {@code schedule}, or empty when a CronJob accepts it. */
    static Optional<String> problem(String schedule) {
        var trimmed = schedule.trim();
        if (trimmed.startsWith("@")) {
            return SHORTHANDS.contains(trimmed.toLowerCase(Locale.ROOT))
                    ? Optional.empty() : Optional.of("'" + trimmed + "' is not a shorthand this allows");
        }
        if (trimmed.startsWith("TZ=") || trimmed.startsWith("CRON_TZ=")) {
            return Optional.of("a time zone cannot be named in the schedule: the CronJob runs on UTC");
        }
        var fields = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (fields.length != FIELDS.size()) {
            return Optional.of("found " + fields.length + " field" + (fields.length == 1 ? "" : "s") + ", not 5");
        }
        for (int i = 0; i < fields.length; i++) {
            var problem = fieldProblem(FIELDS.get(i), fields[i]);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> fieldProblem(Field field, String text) {
        for (var item : text.split(",", -1)) {
            var m = ITEM.matcher(item);
            if (!m.matches()) {
                return Optional.of(field.name() + " '" + item + "' is not a value, a range or a step");
            }
            var step = m.group("step");
            if (step != null && (step.length() > 4 || Integer.parseInt(step) < 1 || Integer.parseInt(step) > field.max())) {
                return Optional.of(field.name() + " step '/" + step + "' is not within 1-" + field.max());
            }
            if (m.group("range").equals("*")) {
                continue;
            }
            var bounds = m.group("range").split("-");
            Integer low = field.valueOf(bounds[0]);
            Integer high = bounds.length == 2 ? field.valueOf(bounds[1]) : low;
            for (var bound : new Integer[] {low, high}) {
                if (bound == null || bound < field.min() || bound > field.max()) {
                    return Optional.of(field.name() + " '" + m.group("range") + "' is not within " + field.min() + "-"
                            + field.max() + (field.names().isEmpty() ? "" : " (or " + field.names().get(0) + "-"
                            + field.names().get(field.names().size() - 1) + ")"));
                }
            }
            if (low > high) {
                return Optional.of(field.name() + " range '" + m.group("range") + "' runs backwards");
            }
        }
        return Optional.empty();
    }
}
