package io.github.workerexporter.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry the metrics server scrapes: the application's, with a collector's failure
 * kept out of the answer. client_java's server answers a failed scrape with a 500 whose
 * body is the exception's stack trace, which can tell a client about the application's
 * code, configuration or data; here the client gets a 500 with one fixed line, and the
 * failure, with its stack trace, goes to the log: once at WARN, then at DEBUG until a
 * scrape succeeds again (logged at INFO).
 *
 * @author Worker Exporter
 */
final class MetricsServerRegistry extends PrometheusRegistry {

    /**
     * What a client reads after a failed scrape.
     */
    static final String FAILURE_MESSAGE = "The metrics could not be collected; the application's log has the cause.";

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerRegistry.class);

    private final PrometheusRegistry delegate;

    private final AtomicBoolean failing = new AtomicBoolean();

    MetricsServerRegistry(PrometheusRegistry delegate) {
        this.delegate = delegate;
    }

    @Override
    public MetricSnapshots scrape() {
        return scrape(null, null);
    }

    @Override
    public MetricSnapshots scrape(@Nullable PrometheusScrapeRequest scrapeRequest) {
        return scrape(null, scrapeRequest);
    }

    @Override
    public MetricSnapshots scrape(@Nullable Predicate<String> includedNames) {
        return scrape(includedNames, null);
    }

    @Override
    public MetricSnapshots scrape(@Nullable Predicate<String> includedNames,
            @Nullable PrometheusScrapeRequest scrapeRequest) {
        MetricSnapshots snapshots;
        try {
            if (includedNames == null) {
                snapshots = (scrapeRequest != null) ? this.delegate.scrape(scrapeRequest) : this.delegate.scrape();
            }
            else {
                snapshots = (scrapeRequest != null) ? this.delegate.scrape(includedNames, scrapeRequest)
                        : this.delegate.scrape(includedNames);
            }
        }
        catch (RuntimeException ex) {
            if (this.failing.compareAndSet(false, true)) {
                logger.warn("Scrape of the metrics server failed; it answers 500 until a scrape succeeds "
                        + "(further failures are logged at DEBUG)", ex);
            }
            else {
                logger.debug("Scrape of the metrics server failed", ex);
            }
            throw new ScrapeFailedException();
        }
        if (this.failing.compareAndSet(true, false)) {
            logger.info("Scrape of the metrics server recovered");
        }
        return snapshots;
    }

    /**
     * A failed scrape as the client sees it: client_java writes {@code printStackTrace()}
     * into the 500's body, which is this one line.
     */
    static final class ScrapeFailedException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ScrapeFailedException() {
            super(FAILURE_MESSAGE, null, false, false);
        }

        @Override
        public String toString() {
            return FAILURE_MESSAGE;
        }

    }

}
