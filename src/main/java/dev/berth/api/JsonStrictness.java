package dev.berth.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Makes request bodies strict where Jackson is lenient by default, so a client's mistake is named instead of
 * silently guessed at:
 * <ul>
 * <li>an unknown field ({@code "replica": 2}) is refused, not ignored;</li>
 * <li>text after the JSON document ({@code {...} x}) is refused;</li>
 * <li>no scalar is coerced: {@code "2"} is not a number, {@code 2} not a text, {@code 1.5} not a whole number,
 * {@code ""} not an absent object;</li>
 * </ul>
 * {@link ProblemMappers} turns each refusal into a 400 problem naming the field's path. Null for a primitive
 * field is not refused here: for records Jackson cannot tell an explicit null from a field left out (which must keep
 * its default, e.g. a cache rule's {@code bypass}), so FAIL_ON_NULL_FOR_PRIMITIVES would refuse valid requests.
 */
@Singleton
public class JsonStrictness implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        for (CoercionInputShape shape : new CoercionInputShape[] { CoercionInputShape.Integer,
                CoercionInputShape.Float, CoercionInputShape.Boolean }) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType type : new LogicalType[] { LogicalType.Integer, LogicalType.Float, LogicalType.Boolean }) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        mapper.coercionConfigDefaults().setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }

    @Override
    public int priority() {
        // After Quarkus's own customizer, which applies quarkus.jackson.fail-on-unknown-properties=false.
        return MINIMUM_PRIORITY;
    }
}
