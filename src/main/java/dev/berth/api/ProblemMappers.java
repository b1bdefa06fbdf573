package dev.berth.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns domain errors and malformed JSON into problem+json, so no bad input ever surfaces as a raw 500.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response domain(ApiException e) {
        return problem(Problem.of(e));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        String field = "body";
        String message = "is not valid JSON";
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            field = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            message = e instanceof UnrecognizedPropertyException ? "is not a known field" : "has the wrong type or format";
        }
        return problem(Problem.of(ApiException.invalid(List.of(new FieldError(field, message)))));
    }

    /**
     * A value of the wrong type ("replicas": "two"). Mapped explicitly: the REST layer's built-in mapper for this
     * more specific type would otherwise answer plain JSON without naming the field.
     */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    /**
     * Malformed JSON reaches resources as a 400 WebApplicationException wrapping the parser's error; render it as
     * a problem about the body. Every other WebApplicationException keeps its own response.
     */
    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException cause && e.getResponse().getStatus() == 400) {
            return json(cause);
        }
        Response r = e.getResponse();
        if (r.hasEntity() || r.getStatus() < 400) {
            return r;
        }
        // The REST layer's own refusals (415, 406, 405, a form it cannot read) carry no body: give them the API's shape.
        int status = r.getStatus();
        String field = status == 415 ? "Content-Type" : status == 406 ? "Accept" : status == 400 ? "body" : null;
        String title = r.getStatusInfo().getReasonPhrase();
        String detail = status == 415 ? "this resource does not accept that Content-Type"
                : status == 406 ? "this resource cannot answer in a type the Accept header allows"
                : status == 400 ? "the request body could not be read" : title;
        return problem(new Problem("about:blank", title, status, detail, field,
                field == null ? null : List.of(new FieldError(field, detail))));
    }

    /**
     * No such resource, or a query parameter the REST layer could not convert ({@code ?limit=abc}): JAX-RS answers
     * that with a 404 wrapping the conversion error; it is bad input, so it becomes a 400 naming the parameter.
     */
    @ServerExceptionMapper
    public Response notFound(NotFoundException e, ResourceInfo resource, UriInfo uri) {
        String param = e.getCause() == null ? null : QueryParams.unconvertible(resource, uri);
        if (param != null) {
            return problem(Problem.of(ApiException.invalid(param, "is not a valid value for this parameter")));
        }
        return problem(new Problem("about:blank", "Not Found", 404, "no such resource", null, null));
    }

    /** A role the caller lacks ({@code @RolesAllowed}): problem+json in the API, the bare status elsewhere. */
    @ServerExceptionMapper
    public Response forbidden(io.quarkus.security.ForbiddenException e, UriInfo uri) {
        if (!uri.getPath().startsWith("/api/")) {
            return Response.status(403).build();
        }
        return problem(new Problem("about:blank", "Forbidden", 403, "your role does not allow this", null, null));
    }

    static Response problem(Problem p) {
        return Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p).build();
    }

    /** Convenience for resources that need to reject a request outside the domain services. */
    public static WebApplicationException asWebException(ApiException e) {
        return new WebApplicationException(problem(Problem.of(e)));
    }
}
