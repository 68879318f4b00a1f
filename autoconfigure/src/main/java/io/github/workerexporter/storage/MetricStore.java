package io.github.workerexporter.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Shared storage through which workers publish their metrics and any worker (or a
 * sidecar) reads all of them. Implementations: a shared directory, Redis, or the
 * application's own.
 * <p>
 * {@link #publish} is called by the flusher, never on a request thread. Implementations
 * throw {@link StoreException} on failure; the caller logs it once and retries on the
 * next flush.
 *
 * @author Worker Exporter
 */
public interface MetricStore extends AutoCloseable {

    /**
     * A short name for logs and health: {@code memory}, {@code file} or {@code redis}.
     * @return the name
     */
    String name();

    /**
     * Write this worker's record, replacing its previous one (Redis: one round trip).
     * @param record the record
     * @throws StoreException when the store cannot be written
     */
    void publish(WorkerRecord record);

    /**
     * Write this worker's record as {@link #publish(WorkerRecord)}, once this life holds
     * the worker id: a store that can tell live processes apart (the file store by a
     * lock, Redis by a token that each publish refreshes) claims the id for the life at
     * the first publish and refuses it to any other live life, which then writes nothing;
     * the life of a process that ended (even by {@code kill -9}) is no obstacle. A store
     * that cannot tell claims nothing, as this default.
     * @param record the record
     * @param life the life of the publishing process
     * @throws WorkerIdConflictException when another live process holds the worker id
     * @throws StoreException when the store cannot be written
     */
    default void publish(WorkerRecord record, WorkerLife life) {
        publish(record);
    }

    /**
     * Read the records of every worker the store knows, this one included, until their
     * data expires (Redis: a bounded number of round trips, SCAN never KEYS).
     * @return the records
     * @throws StoreException when the store cannot be read
     */
    List<WorkerRecord> readAll();

    /**
     * Read the records of every worker the store knows, as {@link #readAll()}, handing
     * each to {@code reader} while its metrics are valid, and answer what it made of
     * them, in the order of the records. A store that reads each record into a buffer it
     * reuses (the file store) hands a record whose metrics view that buffer: they are
     * valid during the call only, so the reader decodes what it keeps
     * ({@link WorkerRecord#decodeMetrics}) and keeps neither the record nor its array
     * ({@link WorkerRecord#withDecodedMetrics} keeps one without them). A store that
     * reads all records first hands them one by one, as this default, for stores that do
     * not override it. A store that learns which records expired only once it read all of
     * them may hand the reader some that it then leaves out. A reader's exception ends
     * the read and propagates.
     * @param <T> what the reader makes of a record
     * @param reader what makes it, called by the reading thread, once for each record
     * answered
     * @return what it made of each record
     * @throws StoreException when the store cannot be read
     */
    default <T> List<T> readAll(Function<? super WorkerRecord, ? extends T> reader) {
        List<WorkerRecord> records = readAll();
        List<T> read = new ArrayList<>(records.size());
        for (WorkerRecord record : records) {
            read.add(reader.apply(record));
        }
        return read;
    }

    /**
     * Release connections and files. Never throws.
     */
    @Override
    void close();

}
