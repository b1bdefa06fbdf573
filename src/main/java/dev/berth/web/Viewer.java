package dev.berth.web;

import dev.berth.identity.CurrentUser;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What the page layout needs to know about the person looking at it, as {@code {inject:viewer.*}} in templates:
 * their name, whether they administer the platform, and whether the local development login is in use.
 */
@Named("viewer")
@RequestScoped
public class Viewer {
    @Inject
    CurrentUser user;
    @ConfigProperty(name = "berth.identity.dev-login", defaultValue = "false")
    boolean devLogin;

    public String getSubject() {
        return user.name();
    }

    public boolean isSignedIn() {
        return !user.isAnonymous();
    }

    public boolean isAdmin() {
        return user.isPlatformAdmin();
    }

    public boolean isDevLogin() {
        return devLogin;
    }
}
