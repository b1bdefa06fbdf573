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
 * a token into Swagger UI. The writes of versioned resources list the {@code If-Match} header
 * ({@link Preconditions}).
 */
public class OpenApiDocument implements OASFilter {
    public static final String API_TOKEN_SCHEME = "berthApiToken";
    static final String API_PREFIX = "/api/v1/";
    /** Resources whose view carries {@code version} and whose PUT or PATCH honours {@code If-Match}. */
    static final java.util.Set<String> VERSIONED = java.util.Set.of("/api/v1/tenants/{tenant}",
            "/api/v1/tenants/{tenant}/apps/{app}", "/api/v1/tenants/{tenant}/apps/{app}/deploy-settings",
            "/api/v1/tenants/{tenant}/apps/{app}/placement", "/api/v1/tenants/{tenant}/apps/{app}/source",
            "/api/v1/plans/{plan}", "/api/v1/tenants/{tenant}/members/{subject}");

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
            openAPI.getPaths().getPathItems().forEach((path, item) -> {
                if (VERSIONED.contains(path)) {
                    java.util.stream.Stream.of(item.getPUT(), item.getPATCH()).filter(java.util.Objects::nonNull)
                            .forEach(op -> op.addParameter(OASFactory.createParameter().name("If-Match")
                                    .in(org.eclipse.microprofile.openapi.models.parameters.Parameter.In.HEADER)
                                    .required(false).schema(OASFactory.createSchema()
                                            .type(List.of(org.eclipse.microprofile.openapi.models.media.Schema.SchemaType.STRING)))
                                    .description("The version the change is based on (the view's 'version'): a "
                                            + "write based on an older one is refused with 409 and the current "
                                            + "version, instead of overwriting a change the caller has not seen.")));
                }
            });
        }
    }
}
