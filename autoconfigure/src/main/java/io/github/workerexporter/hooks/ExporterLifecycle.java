package io.github.workerexporter.hooks;

import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.environment.WorkerIdentity;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Drives the {@link HookManager} from Spring Boot's lifecycle:
 * <ul>
 * <li>{@code on_starting}: start of this lifecycle, in a phase before the web server's,
 * so before anything listens;</li>
 * <li>{@code post_fork}: {@link #webServerBound(int)}, called when the web server has
 * bound its port;</li>
 * <li>{@code when_ready} (and {@code redis_when_ready}):
 * {@link ApplicationReadyEvent};</li>
 * <li>{@code worker_int}: {@link ContextClosedEvent}, which precedes the graceful
 * shutdown of the web server;</li>
 * <li>{@code on_exit}: stop of this lifecycle, in a phase after the web server's.</li>
 * </ul>
 * Each phase runs at most once.
 *
 * @author Worker Exporter
 */
public class ExporterLifecycle implements SmartLifecycle, ApplicationListener<ApplicationEvent> {

    /**
     * Lower than the web server's phases: starts before it and stops after it.
     */
    public static final int PHASE = Integer.MIN_VALUE + 1000;

    private final HookManager hookManager;

    private final ApplicationContext applicationContext;

    private final WorkerIdentity worker;

    private final boolean redisEnabled;

    private volatile @Nullable Integer serverPort;

    private final AtomicBoolean running = new AtomicBoolean();

    private final AtomicBoolean[] done = new AtomicBoolean[HookPhase.values().length];

    /**
     * Create a lifecycle.
     * @param hookManager the hook manager
     * @param applicationContext the application context
     * @param worker this worker
     * @param redisEnabled whether {@code redis_when_ready} runs after {@code when_ready}
     */
    public ExporterLifecycle(HookManager hookManager, ApplicationContext applicationContext, WorkerIdentity worker,
            boolean redisEnabled) {
        this.hookManager = hookManager;
        this.applicationContext = applicationContext;
        this.worker = worker;
        this.redisEnabled = redisEnabled;
        for (int i = 0; i < this.done.length; i++) {
            this.done[i] = new AtomicBoolean();
        }
    }

    @Override
    public void start() {
        if (this.running.compareAndSet(false, true)) {
            fire(HookPhase.ON_STARTING);
        }
    }

    @Override
    public void stop() {
        if (this.running.compareAndSet(true, false)) {
            fire(HookPhase.WORKER_INT);
            fire(HookPhase.ON_EXIT);
        }
    }

    @Override
    public boolean isRunning() {
        return this.running.get();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationReadyEvent ready && ready.getApplicationContext() == this.applicationContext) {
            fire(HookPhase.WHEN_READY);
            if (this.redisEnabled) {
                fire(HookPhase.REDIS_WHEN_READY);
            }
        }
        else if (event instanceof ContextClosedEvent closed
                && closed.getApplicationContext() == this.applicationContext) {
            fire(HookPhase.WORKER_INT);
        }
    }

    /**
     * The web server of this application has bound its port: runs {@code post_fork}.
     * @param port the port
     */
    public void webServerBound(int port) {
        this.serverPort = port;
        fire(HookPhase.POST_FORK);
    }

    private void fire(HookPhase phase) {
        if (this.done[phase.ordinal()].compareAndSet(false, true)) {
            this.hookManager.run(new HookContext(phase, this.applicationContext, this.serverPort, this.worker,
                    this.hookManager.getLogger()));
        }
    }

}
