package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client_java's {@link MetricsHandler}, with two changes:
 * <ul>
 * <li>it tells the {@link MetricsServerExecutor} when it collects and formats (from the
 * moment it has the request until it sends the response headers), time that is not
 * network time and is never interrupted;</li>
 * <li>a client gone before the whole response is logged at DEBUG: client_java logs each
 * at SEVERE with its stack trace, so that every scraper that times out and every client
 * cut by the network timeout writes thirty lines of error, and a hostile client can flood
 * the log. A collector that fails is still an error.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
final class MetricsServerHandler implements HttpHandler {

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerHandler.class);

    private final PrometheusScrapeHandler scrapeHandler;

    private final MetricsServerExecutor executor;

    /**
     * Create a handler.
     * @param registry the registry to serve
     * @param executor the executor the exchanges run on
     */
    MetricsServerHandler(PrometheusRegistry registry, MetricsServerExecutor executor) {
        this.scrapeHandler = new PrometheusScrapeHandler(registry);
        this.executor = executor;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        this.executor.startProcessing();
        try {
            this.scrapeHandler.handleRequest(new Adapter(exchange));
        }
        finally {
            this.executor.endProcessing();
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
