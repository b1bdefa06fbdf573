package dev.berth.identity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The least tenant role a resource method needs. Without it, reads (GET, HEAD) need {@link Role#VIEWER} and every
 * other method {@link Role#DEVELOPER}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresRole {
    Role value();
}
