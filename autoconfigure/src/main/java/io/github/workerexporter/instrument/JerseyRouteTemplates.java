package io.github.workerexporter.instrument;

import java.util.List;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import org.glassfish.jersey.server.ExtendedUriInfo;
import org.glassfish.jersey.uri.UriTemplate;

/**
 * Jersey filter, run once Jersey matched a resource method, that notes the route template
 * in a request property: on a servlet container, Jersey's request properties are the
 * servlet request's attributes, where {@link RequestMetricsFilter} reads it. The template
 * is the application's base path (context path and Jersey's application path) followed by
 * the matched templates, outermost first, such as {@code /api/users/{id}}. A request that
 * Jersey matched to no resource keeps no template.
 *
 * @author Worker Exporter
 */
public final class JerseyRouteTemplates implements ContainerRequestFilter {

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getUriInfo() instanceof ExtendedUriInfo uriInfo) {
            List<UriTemplate> templates = uriInfo.getMatchedTemplates();
            if (!templates.isEmpty()) {
                request.setProperty(ServletRoutes.JERSEY_TEMPLATE_ATTRIBUTE,
                        template(uriInfo.getBaseUri().getRawPath(), templates));
            }
        }
    }

    static String template(String basePath, List<UriTemplate> templates) {
        StringBuilder path = new StringBuilder(basePath);
        for (int i = templates.size() - 1; i >= 0; i--) {
            path.append('/').append(templates.get(i).getTemplate());
        }
        for (int i = path.indexOf("//"); i >= 0; i = path.indexOf("//", i)) {
            path.deleteCharAt(i);
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
            path.setLength(path.length() - 1);
        }
        return path.toString();
    }

}
