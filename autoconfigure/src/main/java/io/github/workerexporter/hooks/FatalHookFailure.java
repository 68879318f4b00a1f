package io.github.workerexporter.hooks;

/**
 * Marks an exception that must fail start-up even when thrown from a hook, whatever
 * {@code exporter.hooks.fail-fast} says: the metrics port that cannot be bound with
 * {@code on-bind-failure=fail}, for example. Implement it on a {@link RuntimeException}.
 *
 * @author Worker Exporter
 */
public interface FatalHookFailure {

}
