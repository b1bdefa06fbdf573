package dev.berth.testsupport;

import dev.berth.identity.Directories;
import dev.berth.identity.Directory;
import dev.berth.identity.LocalDirectory;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.Config;

/**
 * The identity provider's directory as tests see it: the local login's users plus every user a test acts as or
 * names as an owner or member through the helpers, as if they had an account. Names no test introduced stay
 * unknown, so "unknown user" errors can be tested. With the local login off (the Keycloak tests) it is Keycloak.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class KnownUsers implements Directory {
    private static final Set<String> NAMES = ConcurrentHashMap.newKeySet();
    @Inject
    Config config;
    private volatile Directory delegate;

    /** The identity provider now knows these users. */
    public static void add(String... names) {
        NAMES.addAll(Set.of(names));
    }

    @Override
    public Optional<User> find(String usernameOrEmail) {
        if (delegate == null) {
            delegate = Directories.choose(config);
        }
        if (delegate instanceof LocalDirectory local && usernameOrEmail != null) {
            String name = local.nameOf(usernameOrEmail);
            if (NAMES.contains(name)) {
                return Optional.of(local.user(name));
            }
        }
        return delegate.find(usernameOrEmail);
    }
}
