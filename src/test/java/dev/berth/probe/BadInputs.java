package dev.berth.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The classes of input every operation is probed with. Body classes change a valid body: field classes replace
 * one property (or, for identities that are refused before validation, all of them at once) by a hostile value of
 * the same JSON kind or of the wrong one; whole-body classes break the body or its media type. Path classes name
 * the other tenant's objects.
 */
enum BadInputs {
    VALID(Kind.WHOLE, false),
    OVERSIZE_STRING(Kind.FIELD, true),
    WRONG_TYPE(Kind.FIELD, true),
    CONTROL_CHARS(Kind.FIELD, false),
    NON_BMP(Kind.FIELD, false),
    HUGE_DOUBLE(Kind.FIELD, true),
    HUGE_INTEGER(Kind.FIELD, true),
    UNKNOWN_FIELD(Kind.BODY, true),
    EMPTY_BODY(Kind.BODY, false),
    TRUNCATED_JSON(Kind.BODY, true),
    WRONG_CONTENT_TYPE(Kind.BODY, true),
    EMPTY_CONTENT_TYPE(Kind.BODY, false),
    BAD_QUERY(Kind.QUERY, false),
    FOREIGN_TENANT(Kind.PATH, false),
    FOREIGN_OBJECT(Kind.PATH, false);

    enum Kind { WHOLE, FIELD, BODY, QUERY, PATH }

    static final String OVERSIZE = "x".repeat(100 * 1024);
    static final String CONTROL = "probe\u0000\u0001\u0007\u001b[2J\r\n\u007f\u202e";
    static final String ASTRAL = "probe-\uD83D\uDE00-\uD835\uDD18-\uD800\uDF48";
    /** 10^1000: no number type of any field can hold it. */
    static final BigInteger HUGE = BigInteger.TEN.pow(1000);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    final Kind kind;
    /** Whether an answer of 2xx to this input is itself a finding: the input is never a valid request. */
    final boolean mustRefuse;

    BadInputs(Kind kind, boolean mustRefuse) {
        this.kind = kind;
        this.mustRefuse = mustRefuse;
    }

    /** Whether this class can change a property of this kind of value. */
    boolean appliesTo(JsonNode value) {
        return switch (this) {
            case OVERSIZE_STRING, CONTROL_CHARS, NON_BMP -> value.isTextual();
            case HUGE_DOUBLE, HUGE_INTEGER -> value.isNumber();
            case WRONG_TYPE -> !value.isNull();
            default -> false;
        };
    }

    /** The hostile replacement of one property's value. */
    JsonNode replace(JsonNode value) {
        return switch (this) {
            case OVERSIZE_STRING -> F.textNode(OVERSIZE);
            case CONTROL_CHARS -> F.textNode(CONTROL);
            case NON_BMP -> F.textNode(ASTRAL);
            case HUGE_DOUBLE -> F.numberNode(1e308);
            case HUGE_INTEGER -> F.numberNode(HUGE);
            case WRONG_TYPE -> value.isTextual() ? F.numberNode(12345) : value.isNumber() ? F.textNode("not-a-number")
                    : value.isBoolean() ? F.textNode("not-a-boolean") : value.isArray() ? F.objectNode().put("x", 1)
                    : F.arrayNode().add(1);
            default -> value;
        };
    }

    /** The top-level properties of {@code body} this field class can change. */
    List<String> fields(JsonNode body) {
        List<String> names = new ArrayList<>();
        if (body != null && body.isObject()) {
            body.fieldNames().forEachRemaining(n -> {
                if (appliesTo(body.get(n))) {
                    names.add(n);
                }
            });
        }
        return names;
    }

    /** A copy of {@code body} with the named properties replaced. */
    JsonNode mutate(JsonNode body, Predicate<String> which) {
        ObjectNode copy = body.deepCopy();
        body.fieldNames().forEachRemaining(n -> {
            if (which.test(n) && appliesTo(body.get(n))) {
                copy.set(n, replace(body.get(n)));
            }
        });
        return copy;
    }

    /** The request body text and media type for a whole-body class, from the valid body. */
    String bodyText(JsonNode valid) {
        String text = valid.toString();
        return switch (this) {
            case UNKNOWN_FIELD -> valid.isObject()
                    ? ((ObjectNode) valid.deepCopy()).put("probeUnknownField", "x").toString() : "[" + text + "]";
            case EMPTY_BODY -> "";
            case TRUNCATED_JSON -> text.substring(0, Math.max(1, text.length() / 2));
            default -> text;
        };
    }

    String contentType(String declared) {
        return switch (this) {
            case WRONG_CONTENT_TYPE -> "text/plain";
            case EMPTY_CONTENT_TYPE -> "";
            default -> declared == null ? "application/json" : declared;
        };
    }

    String label() {
        return name().toLowerCase().replace('_', '-');
    }
}
