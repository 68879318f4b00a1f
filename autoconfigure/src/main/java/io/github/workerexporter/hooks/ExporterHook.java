package io.github.workerexporter.hooks;

/**
 * A hook run by the {@link HookManager} at each {@link HookPhase}. Declare hooks as
 * beans; they run in {@code @Order}, after the exporter's own hooks of the same phase. A
 * failing hook is logged and skipped unless {@code exporter.hooks.fail-fast} is set.
 *
 * <pre class="code">
 * &#64;Bean
 * ExporterHook announce() {
 *     return ExporterHook.on(HookPhase.WHEN_READY, (context) -&gt; context.logger().info("ready"));
 * }
 * </pre>
 *
 * @author Worker Exporter
 */
@FunctionalInterface
public interface ExporterHook {

    /**
     * Run this hook; {@link HookContext#phase()} tells which phase it is.
     * @param context the context
     * @throws Exception on failure, which the HookManager logs
     */
    void execute(HookContext context) throws Exception;

    /**
     * A hook that runs only at the given phase.
     * @param phase the phase
     * @param hook the hook
     * @return a hook that ignores the other phases
     */
    static ExporterHook on(HookPhase phase, ExporterHook hook) {
        return (context) -> {
            if (context.phase() == phase) {
                hook.execute(context);
            }
        };
    }

}
