package dev.berth.releases;

/**
 * What created a release: a person ({@code user}), a CI job through an API token ({@code token}), a build
 * ({@code build}) or a webhook ({@code webhook}). {@code actor} names who (user subject, token name, the person
 * or token that started the build); {@code source} optionally says what (build id, commit, webhook delivery).
 */
public record CreatedBy(String kind, String actor, String source) {
    public static final String USER = "user";
    public static final String TOKEN = "token";
    public static final String BUILD = "build";
    public static final String WEBHOOK = "webhook";

    public CreatedBy {
        if (!kind.equals(USER) && !kind.equals(TOKEN) && !kind.equals(BUILD) && !kind.equals(WEBHOOK)) {
            throw new IllegalArgumentException("unknown release origin: " + kind);
        }
        actor = actor == null || actor.isBlank() ? "unknown" : actor;
        source = source == null || source.isBlank() ? null : source.length() > 500 ? source.substring(0, 500) : source;
    }

    public static CreatedBy user(String subject) {
        return new CreatedBy(USER, subject, null);
    }

    public static CreatedBy token(String tokenName) {
        return new CreatedBy(TOKEN, tokenName, null);
    }

    /** A build's release: {@code buildRef} identifies the build (id, commit), {@code actor} who started it. */
    public static CreatedBy build(String actor, String buildRef) {
        return new CreatedBy(BUILD, actor, buildRef);
    }

    public static CreatedBy webhook(String actor, String delivery) {
        return new CreatedBy(WEBHOOK, actor, delivery);
    }
}
