package io.github.workerexporter.storage;

import java.util.Arrays;

/**
 * One small value kept in shared storage beside the workers' records (not a worker's
 * record: never read by {@link MetricStore#readAll()}), that any process changes only by
 * compare-and-set, so that processes that change it at once never lose one another's
 * change. The fleet view keeps its fleet remainder in one. It never expires.
 *
 * @author Worker Exporter
 */
public interface SharedValue {

    /**
     * The current value.
     * @return the bytes, empty when there is none yet
     * @throws StoreException when the store cannot be read
     */
    byte[] get();

    /**
     * Replace the value if it still is {@code expected}, atomically for every process
     * that shares the store.
     * @param expected the value read (empty: none yet)
     * @param next the new value
     * @return whether it was replaced; false when another process changed it since
     * @throws StoreException when the store cannot be read or written
     */
    boolean compareAndSet(byte[] expected, byte[] next);

    /**
     * A value kept in this process only, for a store that keeps none (it starts empty in
     * each process).
     * @return the value
     */
    static SharedValue inMemory() {
        return new SharedValue() {

            private byte[] value = new byte[0];

            @Override
            public synchronized byte[] get() {
                return this.value;
            }

            @Override
            public synchronized boolean compareAndSet(byte[] expected, byte[] next) {
                if (!Arrays.equals(this.value, expected)) {
                    return false;
                }
                this.value = next.clone();
                return true;
            }

        };
    }

}
