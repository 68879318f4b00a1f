package io.github.workerexporter.hooks;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the hooks of each phase in order, each through {@link #safeExecute}: a failing
 * hook is logged once with its name and phase, and the others still run, unless fail-fast
 * is on, in which case the failure is rethrown as a {@link HookExecutionException}.
 *
 * @author Worker Exporter
 */
public class HookManager {

    private static final Logger logger = LoggerFactory.getLogger("io.github.workerexporter.hooks");

    private final List<NamedHook> hooks;

    private final boolean failFast;

    /**
     * Create a manager.
     * @param hooks the hooks, in the order they run (the exporter's own hooks first)
     * @param failFast whether a failing hook is rethrown
     */
    public HookManager(List<NamedHook> hooks, boolean failFast) {
        this.hooks = List.copyOf(hooks);
        this.failFast = failFast;
    }

    /**
     * The logger hooks share ({@code io.github.workerexporter.hooks}).
     * @return the logger
     */
    public Logger getLogger() {
        return logger;
    }

    /**
     * The hooks, in the order they run.
     * @return the hooks
     */
    public List<NamedHook> getHooks() {
        return this.hooks;
    }

    /**
     * Run every hook for the phase of the context.
     * @param context the context
     * @return how many hooks failed
     */
    public int run(HookContext context) {
        logger.debug("Running {} hooks", context.phase().hookName());
        int failures = 0;
        for (NamedHook hook : this.hooks) {
            if (!safeExecute(hook.name(), context.phase(), () -> hook.hook().execute(context))) {
                failures++;
            }
        }
        return failures;
    }

    /**
     * Run an action, logging a failure once instead of propagating it (unless fail-fast).
     * @param name what is run, for the log
     * @param phase the phase it runs in
     * @param action the action
     * @return whether the action completed
     */
    public boolean safeExecute(String name, HookPhase phase, Action action) {
        try {
            action.run();
            return true;
        }
        catch (Exception | LinkageError ex) {
            if (ex instanceof FatalHookFailure && ex instanceof RuntimeException fatal) {
                throw fatal;
            }
            if (this.failFast) {
                throw new HookExecutionException(name, phase, ex);
            }
            logger.warn("Hook '{}' failed in {}: {}", name, phase.hookName(), ex.toString(), ex);
            return false;
        }
    }

    /**
     * An action that may throw.
     */
    @FunctionalInterface
    public interface Action {

        /**
         * Run the action.
         * @throws Exception on failure
         */
        void run() throws Exception;

    }

    /**
     * A hook and the name it is logged under (its bean name).
     *
     * @param name the name
     * @param hook the hook
     */
    public record NamedHook(String name, ExporterHook hook) {
    }

}
