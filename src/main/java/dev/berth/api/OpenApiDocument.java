package dev.berth.api;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * Shapes the served OpenAPI document ({@code mp.openapi.filter}): it describes the JSON API only, so page routes
 * (HTML forms under {@code /t/...}, {@code /tenants}, ...) and the Git hosts' webhooks are left out; and it offers
 * the {@code berth_} API token as an HTTP bearer scheme beside the OIDC flow, so someone writing a CI job can paste
 * a token into Swagger UI.
 */
public class OpenApiDocument implements OASFilter {
    public static final String API_TOKEN_SCHEME = "berthApiToken";
    static final String API_PREFIX = "/api/v1/";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            for (String path : new ArrayList<>(openAPI.getPaths().getPathItems().keySet())) {
                if (!path.startsWith(API_PREFIX) && !path.equals("/api/v1")) {
                    openAPI.getPaths().removePathItem(path);
                }
            }
        }
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSecurityScheme(API_TOKEN_SCHEME, OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("berth_...")
                .description("A Berth API token (created on a tenant's Tokens page or with POST "
                        + "/api/v1/tenants/{tenant}/tokens), sent as 'Authorization: Bearer berth_...'."));
        List<org.eclipse.microprofile.openapi.models.security.SecurityRequirement> security = new ArrayList<>();
        if (openAPI.getSecurity() != null) {
            security.addAll(openAPI.getSecurity());
        }
        security.add(OASFactory.createSecurityRequirement().addScheme(API_TOKEN_SCHEME));
        openAPI.setSecurity(security);
        // Operations that list their own requirements (the OIDC scheme on role-checked ones) accept a token too.
        if (openAPI.getPaths() != null && openAPI.getPaths().getPathItems() != null) {
            openAPI.getPaths().getPathItems().values().forEach(item -> item.getOperations().values().forEach(op -> {
                if (op.getSecurity() != null && op.getSecurity().stream()
                        .noneMatch(r -> r.hasScheme(API_TOKEN_SCHEME))) {
                    op.addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme(API_TOKEN_SCHEME));
                }
            }));
        }
    }
}
