package dev.berth.identity;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** An API token presented as {@code Authorization: Bearer berth_...}. */
public final class ApiTokenRequest extends BaseAuthenticationRequest {
    private final String secret;

    public ApiTokenRequest(String secret) {
        this.secret = secret;
    }

    public String secret() {
        return secret;
    }
}
