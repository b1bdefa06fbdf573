package dev.berth.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Refuses a NUL character in any string of a request body. PostgreSQL cannot store it in text, so without this a
 * name, plan or token name containing U+0000 failed in the database with a 500; now it is a 400 naming the
 * field, like any other value of the wrong format.
 */
@Singleton
public class NulCharacters implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("berth-no-nul").addDeserializer(String.class, new NoNul()));
    }

    static final class NoNul extends StdScalarDeserializer<String> {
        NoNul() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            if (value != null && value.indexOf('\u0000') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, value, "contains a NUL character");
            }
            return value;
        }
    }
}
