package io.github.workerexporter.instrument;

import io.github.workerexporter.metrics.RequestMetrics;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The route template of a servlet request, from the framework that matched it, read from
 * request attributes so that no framework is needed on the class path:
 * <ol>
 * <li>Spring MVC's best matching pattern ({@code HandlerMapping.bestMatchingPattern}),
 * such as {@code /users/{id}};</li>
 * <li>Jersey's matched templates, noted by {@link JerseyRouteTemplates}, such as
 * {@code /api/users/{id}};</li>
 * <li>else the servlet mapping that the container matched when it names a path (an exact,
 * prefix or extension mapping such as {@code /legacy/*}, but not {@code /} or
 * {@code /*}): a bounded set, the application's mappings;</li>
 * <li>else {@link RequestMetrics#UNMATCHED}.</li>
 * </ol>
 *
 * @author Worker Exporter
 */
final class ServletRoutes {

    /** Spring MVC's {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
    static final String MVC_PATTERN_ATTRIBUTE = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    /** Request attribute of Jersey's matched route template. */
    static final String JERSEY_TEMPLATE_ATTRIBUTE = "io.github.workerexporter.instrument.JerseyRouteTemplates.TEMPLATE";

    private ServletRoutes() {
    }

    static String endpoint(HttpServletRequest request) {
        Object pattern = request.getAttribute(MVC_PATTERN_ATTRIBUTE);
        if (pattern == null) {
            pattern = request.getAttribute(JERSEY_TEMPLATE_ATTRIBUTE);
        }
        return (pattern != null) ? pattern.toString() : mapping(request);
    }

    private static String mapping(HttpServletRequest request) {
        HttpServletMapping mapping = request.getHttpServletMapping();
        if (mapping == null || mapping.getMappingMatch() == null) {
            return RequestMetrics.UNMATCHED;
        }
        return switch (mapping.getMappingMatch()) {
            case EXACT, EXTENSION -> mapping.getPattern();
            case PATH -> "/*".equals(mapping.getPattern()) ? RequestMetrics.UNMATCHED : mapping.getPattern();
            default -> RequestMetrics.UNMATCHED;
        };
    }

}
