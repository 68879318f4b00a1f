package io.github.workerexporter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * The prefix of a child process's command that gives it the default action of the stop
 * signals ({@code HUP}, {@code INT}, {@code QUIT}, {@code TERM}) when this JVM was
 * started with them ignored, as a program started by {@code nohup} or in the background
 * of a non-interactive shell is ({@code cmd &} ignores {@code INT} and {@code QUIT}). An
 * ignored signal stays ignored across {@code exec}, and a JVM that starts with one
 * ignored keeps it so (no shutdown hook runs): a test that stops a worker JVM with
 * {@code kill -INT} would then wait for an exit that never comes, because of how the
 * build was launched, not because of the code. Java cannot reset a disposition before
 * {@code exec}; {@code perl} (Debian's {@code perl-base}, always installed) does.
 *
 * @author Worker Exporter
 */
public final class DefaultSignals {

    private static final List<String> SIGNALS = List.of("HUP", "INT", "QUIT", "TERM");

    private static final int[] NUMBERS = { 1, 2, 3, 15 };

    private static final Path PERL = Path.of("/usr/bin/perl");

    private static final long IGNORED = ignored();

    private DefaultSignals() {
    }

    /**
     * The command to put before a child's command: none when no stop signal is ignored
     * here, otherwise {@code perl} restoring their default action and executing the rest.
     * @return the prefix, possibly empty
     */
    public static List<String> prefix() {
        if (IGNORED == 0 || !Files.isExecutable(PERL)) {
            return List.of();
        }
        return List.of(PERL.toString(), "-e", "$SIG{$_} = 'DEFAULT' for qw(" + String.join(" ", SIGNALS)
                + "); exec { $ARGV[0] } @ARGV or die \"exec: $!\";");
    }

    /**
     * Skip the calling test, with the reason, when a child started with {@link #prefix()}
     * would still ignore a signal (no {@code perl} to restore it).
     * @param signal the signal's name without {@code SIG}, such as {@code INT}
     */
    public static void assumeDeliverable(String signal) {
        int index = SIGNALS.indexOf(signal);
        boolean ignored = index >= 0 && (IGNORED & (1L << (NUMBERS[index] - 1))) != 0;
        Assumptions.assumeFalse(ignored && prefix().isEmpty(),
                () -> "SIG" + signal
                        + " is ignored by this JVM (started by nohup or in a shell's background) and there is no "
                        + PERL + " to give the child JVMs its default action back");
    }

    /**
     * The stop signals this JVM ignores, as bits of {@code SigIgn} in
     * {@code /proc/self/status} (bit n - 1 for signal n); 0 where it cannot be read.
     */
    private static long ignored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                    long stop = 0;
                    for (int number : NUMBERS) {
                        stop |= 1L << (number - 1);
                    }
                    return mask & stop;
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // Not Linux: nothing known to be ignored.
        }
        return 0;
    }

}
