package dev.berth.testsupport;

import io.quarkus.arc.Arc;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.test.security.TestIdentityAssociation;
import java.util.Set;

/**
 * Switches the caller of the following API requests inside a test, so one test can set things up as the platform
 * admin and then act as a tenant member. Only works in a test annotated with {@code @TestSecurity} (which enables
 * test identities and resets them after the test).
 */
public final class Users {
    public static final String ADMIN = "admin";
    public static final String PLATFORM_ADMIN = "platform-admin";

    private Users() {
    }

    /** Following requests are made by {@code user} with the given platform roles (none for ordinary users). */
    public static void actAs(String user, String... roles) {
        KnownUsers.add(user);
        Arc.container().select(TestIdentityAssociation.class).get().setTestIdentity(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(user)).addRoles(Set.of(roles)).build());
    }

    /**
     * Following requests are authenticated by what they present (an {@code Authorization} header, a session
     * cookie), exactly as in production, instead of by a test identity.
     */
    public static void actByCredentials() {
        Arc.container().select(TestIdentityAssociation.class).get().setTestIdentity(null);
    }

    public static void actAsAdmin() {
        actAs(ADMIN, PLATFORM_ADMIN);
    }

    /** Runs {@code setup} as the platform admin, then goes back to acting as {@code user}. */
    public static void asAdminThen(String user, Runnable setup) {
        actAsAdmin();
        try {
            setup.run();
        } finally {
            actAs(user);
        }
    }
}
