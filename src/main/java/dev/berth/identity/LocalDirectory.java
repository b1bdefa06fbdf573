package dev.berth.identity;

import io.smallrye.config.SmallRyeConfig;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;

/**
 * The directory of the local development login: the embedded users of {@code application.properties}. Their
 * subject is their user name and their address {@code <name>@<berth.identity.local-email-domain>}, as in the
 * example realm in {@code deploy/keycloak}.
 */
public class LocalDirectory implements Directory {
    static final String USERS = "quarkus.security.users.embedded.users.";
    private final Set<String> users = new TreeSet<>();
    private final String emailDomain;

    public LocalDirectory(Config config) {
        for (String name : config.unwrap(SmallRyeConfig.class).getPropertyNames()) {
            if (name.startsWith(USERS)) {
                users.add(name.substring(USERS.length()));
            }
        }
        emailDomain = config.getOptionalValue("berth.identity.local-email-domain", String.class)
                .orElse("berth.localhost");
    }


    /** The user name an e-mail address of the local domain stands for, else the text itself. */
    public String nameOf(String usernameOrEmail) {
        String ref = usernameOrEmail.trim();
        String suffix = "@" + emailDomain;
        return ref.toLowerCase(Locale.ROOT).endsWith(suffix) ? ref.substring(0, ref.length() - suffix.length()) : ref;
    }

    public User user(String name) {
        return new User(name, name, name + "@" + emailDomain);
    }

    @Override
    public Optional<User> find(String usernameOrEmail) {
        if (usernameOrEmail == null) {
            return Optional.empty();
        }
        String name = nameOf(usernameOrEmail);
        return users.contains(name) ? Optional.of(user(name)) : Optional.empty();
    }
}
