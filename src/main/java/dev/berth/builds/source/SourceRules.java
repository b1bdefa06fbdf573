package dev.berth.builds.source;

import java.util.regex.Pattern;

/** Validation of repository connection fields, so bad values are refused up front with the field named. */
public final class SourceRules {
    private static final Pattern REF = Pattern.compile("[A-Za-z0-9._/-]{1,200}");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{7,40}");
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");
    static final int MAX_ARGS = 50;

    private SourceRules() {
    }

    static String ref(String ref) {
        if (ref == null || ref.isBlank()) {
            return "is required";
        }
        if (!REF.matcher(ref).matches() || ref.contains("..") || ref.startsWith("/") || ref.startsWith("-")
                || ref.endsWith("/") || ref.endsWith(".lock")) {
            return "must be a branch or tag name such as main or v1.2";
        }
        return null;
    }

    /** A path inside the repository: relative, no '..', no absolute path. Null means valid. */
    static String relativePath(String path, boolean required) {
        if (path == null || path.isBlank()) {
            return required ? "is required" : null;
        }
        if (path.length() > 300) {
            return "must be at most 300 characters long";
        }
        if (path.startsWith("/") || path.contains("\\") || path.contains("\0")) {
            return "must be a relative path inside the repository";
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                return "must not contain '..'";
            }
        }
        return null;
    }

    public static String sha(String sha) {
        return sha == null || SHA.matcher(sha).matches() ? null : "must be a commit SHA (7 to 40 lower-case hex digits)";
    }

    static String argName(String name) {
        return ARG_NAME.matcher(name).matches() ? null : "must be a build argument name such as NODE_VERSION";
    }
}
