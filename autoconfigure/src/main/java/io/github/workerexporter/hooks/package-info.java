/**
 * Lifecycle hooks: HookManager, HookContext and the default hooks of the original.
 */
@NullMarked
package io.github.workerexporter.hooks;

import org.jspecify.annotations.NullMarked;
