package io.github.workerexporter.environment;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.util.StringUtils;

/**
 * Identity of this worker (one JVM): the {@code worker_id} label of every series and the
 * key of its data in shared storage.
 *
 * @param id the worker id
 * @param pid the process id of this JVM
 * @param startTime when this JVM started
 * @author Worker Exporter
 */
public record WorkerIdentity(String id, long pid, Instant startTime) {

    /**
     * Identity of the current JVM.
     * @param configuredId the configured id, or {@code null} for host name and pid
     * @return the identity
     */
    public static WorkerIdentity current(@Nullable String configuredId) {
        ProcessHandle self = ProcessHandle.current();
        Instant start = self.info().startInstant().orElseGet(Instant::now);
        String id = StringUtils.hasText(configuredId) ? configuredId.trim() : hostName() + "-" + self.pid();
        return new WorkerIdentity(id, self.pid(), start);
    }

    /**
     * The name of this host: {@code HOSTNAME}, else the local host's name.
     * @return the host name
     */
    public static String hostName() {
        String fromEnv = System.getenv("HOSTNAME");
        if (StringUtils.hasText(fromEnv)) {
            return fromEnv;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            return "localhost";
        }
    }

}
