/**
 * Child process clean-up on exit (ProcessManager).
 */
@NullMarked
package io.github.workerexporter.process;

import org.jspecify.annotations.NullMarked;
