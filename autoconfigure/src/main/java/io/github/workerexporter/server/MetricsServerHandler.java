package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Enumeration;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client_java's {@link MetricsHandler} (its {@link PrometheusScrapeHandler}:
 * {@code Accept} negotiation, {@code name[]} filters and client_java's configured ones,
 * gzip on request, HEAD), with these changes:
 * <ul>
 * <li>the two text formats are written by {@link OpenMetricsExposition} and
 * {@link PrometheusTextExposition} and streamed: the body goes out chunked as it is
 * written, gzip-compressed at level {@value #GZIP_LEVEL} when the client accepts it,
 * where client_java writes an uncompressed body whole into a buffer first (72 MB for
 * 1,024 workers of 200 series) and compresses at the JDK's default level. Protobuf,
 * OpenMetrics 2 when enabled and {@code ?debug=} are client_java's as before;</li>
 * <li>it tells the {@link MetricsServerExecutor} when it collects (from the moment it has
 * the request until it sends the response headers), time that is not network time and is
 * never interrupted;</li>
 * <li>a client gone before the whole response is logged at DEBUG: client_java logs each
 * at SEVERE with its stack trace, so that every scraper that times out and every client
 * cut by the network timeout writes thirty lines of error, and a hostile client can flood
 * the log. A collector that fails is still an error.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
final class MetricsServerHandler implements HttpHandler {

    /**
     * The gzip level: on the 72 MB exposition of 1,024 workers × 200 series, level 1
     * compresses in 93 ms of CPU to 2.42 MB, the default level 6 in 234 ms to 2.02 MB.
     */
    static final int GZIP_LEVEL = Deflater.BEST_SPEED;

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerHandler.class);

    private final PrometheusRegistry registry;

    private final PrometheusScrapeHandler scrapeHandler;

    private final ExpositionFormats formats;

    private final OpenMetricsExposition openMetrics;

    private final PrometheusTextExposition text;

    private final @Nullable Predicate<String> configuredFilter;

    private final boolean preferUncompressed;

    private final MetricsServerExecutor executor;

    /**
     * Create a handler with client_java's properties.
     * @param registry the registry to serve
     * @param executor the executor the exchanges run on
     */
    MetricsServerHandler(PrometheusRegistry registry, MetricsServerExecutor executor) {
        PrometheusProperties config = PrometheusProperties.get();
        this.registry = registry;
        this.scrapeHandler = new PrometheusScrapeHandler(config, registry);
        this.formats = ExpositionFormats.init(config);
        TextExpositions expositions = TextExpositions.of(config);
        this.openMetrics = expositions.openMetrics();
        this.text = expositions.text();
        this.configuredFilter = filter(config.getExporterFilterProperties());
        this.preferUncompressed = config.getExporterHttpServerProperties().isPreferUncompressedResponse();
        this.executor = executor;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        this.executor.startProcessing();
        try {
            Adapter adapter = new Adapter(exchange);
            if (adapter.getRequest().getParameter("debug") != null) {
                this.scrapeHandler.handleRequest(adapter);
            }
            else {
                serve(exchange, adapter);
            }
        }
        finally {
            this.executor.endProcessing();
        }
    }

    private void serve(HttpExchange exchange, Adapter adapter) throws IOException {
        try {
            PrometheusHttpRequest request = adapter.getRequest();
            MetricSnapshots snapshots = scrape(request);
            String accept = request.getHeader("Accept");
            EscapingScheme scheme = EscapingScheme.fromAcceptHeader(accept);
            ExpositionFormatWriter writer = writer(accept);
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            boolean gzip = !this.preferUncompressed && acceptsGzip(request);
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            if ("HEAD".equals(request.getMethod())) {
                head(adapter, writer, snapshots, scheme, gzip);
                return;
            }
            adapter.getResponse().sendHeadersAndGetBody(200, 0);
            try (OutputStream body = gzip ? new GZIPStream(exchange.getResponseBody()) : exchange.getResponseBody()) {
                writer.write(body, snapshots, scheme);
            }
        }
        catch (IOException ex) {
            adapter.handleException(ex);
        }
        catch (RuntimeException ex) {
            adapter.handleException(ex);
        }
        finally {
            exchange.close();
        }
    }

    /**
     * HEAD: the headers a GET would have, the length of its body counted, not kept.
     */
    private void head(Adapter adapter, ExpositionFormatWriter writer, MetricSnapshots snapshots, EscapingScheme scheme,
            boolean gzip) throws IOException {
        if (!gzip) {
            Counting counting = new Counting();
            writer.write(counting, snapshots, scheme);
            if (counting.count > 0) {
                adapter.getResponse().setHeader("Content-Length", Long.toString(counting.count));
            }
        }
        adapter.getResponse().sendHeadersAndGetBody(200, -1);
    }

    private ExpositionFormatWriter writer(@Nullable String accept) {
        ExpositionFormatWriter writer = this.formats.findWriter(accept);
        if (writer == this.formats.getOpenMetricsTextFormatWriter()) {
            return this.openMetrics;
        }
        if (writer == this.formats.getPrometheusTextFormatWriter()) {
            return this.text;
        }
        return writer;
    }

    private MetricSnapshots scrape(PrometheusHttpRequest request) {
        Predicate<String> filter = this.configuredFilter;
        String[] names = request.getParameterValues("name[]");
        if (names != null && names.length > 0) {
            Predicate<String> requested = MetricNameFilter.builder().nameMustBeEqualTo(names).build();
            filter = (filter != null) ? requested.and(filter) : requested;
        }
        return (filter != null) ? this.registry.scrape(filter, request) : this.registry.scrape(request);
    }

    private static @Nullable Predicate<String> filter(ExporterFilterProperties properties) {
        if (properties.getAllowedMetricNames() == null && properties.getExcludedMetricNames() == null
                && properties.getAllowedMetricNamePrefixes() == null
                && properties.getExcludedMetricNamePrefixes() == null) {
            return null;
        }
        return MetricNameFilter.builder()
            .nameMustBeEqualTo(properties.getAllowedMetricNames())
            .nameMustNotBeEqualTo(properties.getExcludedMetricNames())
            .nameMustStartWith(properties.getAllowedMetricNamePrefixes())
            .nameMustNotStartWith(properties.getExcludedMetricNamePrefixes())
            .build();
    }

    private static boolean acceptsGzip(PrometheusHttpRequest request) {
        Enumeration<String> headers = request.getHeaders("Accept-Encoding");
        while (headers != null && headers.hasMoreElements()) {
            for (String encoding : headers.nextElement().split(",")) {
                if (encoding.trim().equalsIgnoreCase("gzip")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * gzip at {@link #GZIP_LEVEL}.
     */
    private static final class GZIPStream extends GZIPOutputStream {

        GZIPStream(OutputStream out) throws IOException {
            super(out, 16 * 1024);
            this.def.setLevel(GZIP_LEVEL);
        }

    }

    /**
     * Counts the bytes of a body nobody reads.
     */
    private static final class Counting extends OutputStream {

        private long count;

        @Override
        public void write(int b) {
            this.count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            this.count += len;
        }

    }

    /**
     * The exchange as client_java's scrape handler sees it.
     */
    private final class Adapter extends HttpExchangeAdapter {

        private final HttpExchange exchange;

        private final HttpResponse response = new HttpResponse() {

            @Override
            public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength) throws IOException {
                MetricsServerHandler.this.executor.endProcessing();
                return super.sendHeadersAndGetBody(statusCode, contentLength);
            }

        };

        Adapter(HttpExchange exchange) {
            super(exchange);
            this.exchange = exchange;
        }

        @Override
        public HttpResponse getResponse() {
            return this.response;
        }

        @Override
        public void handleException(IOException ex) {
            // Only the exchange's streams throw it: the client is gone.
            logger.debug("Metrics server could not answer {}: {}", this.exchange.getRemoteAddress(), ex.toString());
        }

        @Override
        public void handleException(RuntimeException ex) {
            MetricsServerHandler.this.executor.endProcessing();
            super.handleException(ex);
        }

    }

}
