package io.github.workerexporter.saturation;

/**
 * What a running web server says about its saturation at one moment; a value the server
 * does not have is {@link #NONE} and gives no series.
 *
 * @param threadsBusy request threads running a request
 * @param threadsMax the maximum of request threads
 * @param requestsWaiting requests queued for a request thread
 * @param connections open connections
 * @param connectionsMax the maximum of open connections
 * @author Worker Exporter
 */
public record ServerReading(long threadsBusy, long threadsMax, long requestsWaiting, long connections,
        long connectionsMax) {

    /**
     * A value the server does not have.
     */
    public static final long NONE = -1;

    /**
     * A server that says nothing.
     */
    public static final ServerReading EMPTY = new ServerReading(NONE, NONE, NONE, NONE, NONE);

}
