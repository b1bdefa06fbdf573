package dev.berth.api;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Makes request bodies strict where Jackson is lenient by default: a fractional number for a whole-number field
 * ("replicas": 1.5) is refused as the wrong type instead of being silently truncated.
 */
@Singleton
public class JsonStrictness implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
    }
}
