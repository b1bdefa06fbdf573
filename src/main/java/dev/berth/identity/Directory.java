package dev.berth.identity;

import java.util.Optional;

/**
 * The people the identity provider knows. Owners add members by user name or e-mail address; Berth stores the
 * member under the provider's stable subject, so a renamed user keeps their roles and a typo never creates a
 * membership nobody can use.
 */
public interface Directory {

    /** A user as the identity provider reports them. */
    record User(String subject, String username, String email) {
    }

    /** The user whose user name or e-mail address is exactly {@code usernameOrEmail}, if the provider knows one. */
    Optional<User> find(String usernameOrEmail);
}
