package io.github.workerexporter.storage.redis;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * A {@link WorkerRecord} as the fields of a Redis hash: numbers and text in UTF-8
 * (readable with {@code redis-cli}), the metrics as they are.
 *
 * @author Worker Exporter
 */
final class RedisRecords {

    static final byte[] STOP_REASON = RedisKeys.bytes("stop");

    /**
     * The fields read back, in the order {@link #record} expects.
     */
    static final byte[][] FIELDS = { RedisKeys.bytes("pid"), RedisKeys.bytes("start"), RedisKeys.bytes("heartbeat"),
            RedisKeys.bytes("state"), RedisKeys.bytes("metrics"), STOP_REASON };

    private RedisRecords() {
    }

    static Map<byte[], byte[]> fields(WorkerRecord record) {
        Map<byte[], byte[]> fields = new LinkedHashMap<>();
        fields.put(FIELDS[0], RedisKeys.bytes(Long.toString(record.pid())));
        fields.put(FIELDS[1], RedisKeys.bytes(Long.toString(record.startTimeMillis())));
        fields.put(FIELDS[2], RedisKeys.bytes(Long.toString(record.heartbeatMillis())));
        fields.put(FIELDS[3], RedisKeys.bytes(record.state()));
        fields.put(FIELDS[4], record.metrics());
        if (record.stopReason() != null) {
            fields.put(STOP_REASON, RedisKeys.bytes(record.stopReason()));
        }
        return fields;
    }

    /**
     * The record of a worker from the reply to {@code HMGET} of {@link #FIELDS}.
     * @param workerId the worker id
     * @param reply the reply, a list of values, {@code null} for a missing field
     * @return the record, or {@code null} when it has expired
     * @throws StoreException when the hash is not a worker record
     */
    static @Nullable WorkerRecord record(byte[] workerId, Object reply) {
        List<?> values = (List<?>) reply;
        if (values.get(4) == null) {
            return null;
        }
        try {
            return new WorkerRecord(text(workerId), number(values.get(0)), number(values.get(1)), number(values.get(2)),
                    text(values.get(3)), (values.get(5) != null) ? text(values.get(5)) : null, (byte[]) values.get(4));
        }
        catch (RuntimeException ex) {
            throw new StoreException("Not a worker record: worker " + text(workerId), ex);
        }
    }

    private static long number(@Nullable Object value) {
        return Long.parseLong(text(value));
    }

    private static String text(@Nullable Object value) {
        if (value == null) {
            throw new IllegalStateException("missing field");
        }
        return new String((byte[]) value, StandardCharsets.UTF_8);
    }

}
