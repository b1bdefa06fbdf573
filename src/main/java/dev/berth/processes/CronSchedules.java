package dev.berth.processes;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/**
 * Validates cron schedules as the Kubernetes CronJob controller reads them: five fields (minute, hour, day of
 * month, month, day of week), Unix syntax, parsed with cron-utils' Unix definition. Macros ({@code @daily}) and
 * time zones are refused: a schedule always says exactly when, in the cluster's time zone.
 */
public final class CronSchedules {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    static final int MAX_LENGTH = 100;

    private CronSchedules() {
    }

    /** Null when {@code schedule} is a valid five-field schedule, else why not. */
    public static String problem(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            return "is required for a cron process (five fields, for example \"0 3 * * *\")";
        }
        if (schedule.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        String[] fields = schedule.trim().split("\\s+");
        if (fields.length != 5) {
            return "must have five fields (minute hour day-of-month month day-of-week), found " + fields.length;
        }
        try {
            PARSER.parse(String.join(" ", fields)).validate();
            return null;
        } catch (IllegalArgumentException e) {
            return "is not a valid cron schedule: " + e.getMessage();
        }
    }

    /** The schedule as written to the CronJob: single spaces between the fields. */
    static String normalize(String schedule) {
        return String.join(" ", schedule.trim().split("\\s+"));
    }
}
