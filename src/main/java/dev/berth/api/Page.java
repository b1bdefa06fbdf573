package dev.berth.api;

import java.util.List;

/**
 * One page of a list; {@code page} counts from 0. Lists are paged so that a tenant with hundreds of apps (or a
 * platform with thousands of tenants) costs one small query per request, not one that grows with the data.
 * <p>
 * {@code next} is the cursor of the following page (the sort key of this page's last item), null on the last page:
 * a client passes it back as {@code ?after=} and the next page is read by keyset ({@code where key > :after}),
 * which costs the same at any depth, unlike {@code ?page=} (an offset the database has to count through).
 */
public record Page<T>(List<T> items, long total, int page, int size, String next) {
    public static final int DEFAULT_SIZE = 50;
    public static final int MAX_SIZE = 200;

    /** A page read by offset ({@code ?page=}); {@code next} is the last item's key when more follow. */
    public Page(List<T> items, long total, int page, int size) {
        this(items, total, page, size, null);
    }

    /**
     * The cursor of a list read with one row more than {@code size} ({@code rows}): the key of the last item shown
     * when that extra row exists (more follow), else null.
     */
    public static <R> String nextCursor(List<R> rows, int size, java.util.function.Function<R, String> key) {
        return rows.size() > size ? key.apply(rows.get(size - 1)) : null;
    }

    /**
     * The {@code after} cursor as given, null when absent; 400 naming {@code after} when it is longer than any key
     * can be or is given together with {@code page} (a page is either counted or continued, not both).
     */
    public static String after(String text, String page) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.length() > 253) {
            throw ApiException.invalid("after", "is not a cursor of this list (too long)");
        }
        if (page != null && !page.isBlank()) {
            throw ApiException.invalid("after", "cannot be combined with 'page': pass the 'next' cursor alone");
        }
        return text;
    }

    /**
     * The requested page size, {@value #DEFAULT_SIZE} when absent; 400 naming {@code size} when it is not a number
     * from 1 to 200. Query parameters arrive as text so that "?size=ten" is refused with that message instead of the
     * framework's bare 404 for a parameter it cannot convert.
     */
    public static int size(String text) {
        Integer requested = number("size", text);
        if (requested == null) {
            return DEFAULT_SIZE;
        }
        if (requested < 1 || requested > MAX_SIZE) {
            throw ApiException.invalid("size", "must be between 1 and " + MAX_SIZE);
        }
        return requested;
    }

    /** The requested page number, 0 when absent; 400 naming {@code page} when it is not a number from 0. */
    public static int page(String text) {
        Integer requested = number("page", text);
        if (requested == null) {
            return 0;
        }
        if (requested < 0) {
            throw ApiException.invalid("page", "must be 0 or more (pages count from 0)");
        }
        return requested;
    }

    private static Integer number(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(field, "must be a whole number, got '" + (text.length() > 20
                    ? text.substring(0, 20) + "…" : text) + "'");
        }
    }

    /** Number of the first item shown, counting from 1 (0 for an empty page). */
    public long firstShown() {
        return items.isEmpty() ? 0 : (long) page * size + 1;
    }

    public long lastShown() {
        return (long) page * size + items.size();
    }

    public boolean hasPrevious() {
        return page > 0;
    }

    public boolean hasNext() {
        return (long) (page + 1) * size < total;
    }

    /** The page's number counting from 1, for people. */
    public int shownNumber() {
        return page + 1;
    }

    /** True when the list does not fit on one page, so the page shows a pager. */
    public boolean spansPages() {
        return total > size;
    }
}
