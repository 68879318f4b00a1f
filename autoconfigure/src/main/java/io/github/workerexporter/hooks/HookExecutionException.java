package io.github.workerexporter.hooks;

/**
 * A hook failed while {@code exporter.hooks.fail-fast} is set.
 *
 * @author Worker Exporter
 */
public class HookExecutionException extends RuntimeException {

    private final String hookName;

    private final HookPhase phase;

    /**
     * Create an exception.
     * @param hookName the failing hook
     * @param phase the phase it failed in
     * @param cause the failure
     */
    public HookExecutionException(String hookName, HookPhase phase, Throwable cause) {
        super("Hook '" + hookName + "' failed in " + phase.hookName() + ": " + cause, cause);
        this.hookName = hookName;
        this.phase = phase;
    }

    public String getHookName() {
        return this.hookName;
    }

    public HookPhase getPhase() {
        return this.phase;
    }

}
