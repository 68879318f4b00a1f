package io.github.workerexporter.storage.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The keys of one store. Every key starts with the key prefix inside a Redis Cluster hash
 * tag, so all keys of a prefix live in one slot (one node), and scripts and {@code MGET}
 * over several keys work in a cluster too:
 *
 * <pre>
 * {gunicorn}:workers          set of worker ids (the index)
 * {gunicorn}:worker:&lt;id&gt;     one worker's record (see RedisRecords)
 * {gunicorn}:owner:&lt;id&gt;      the life that holds the id: "&lt;pid&gt;@&lt;host&gt;/&lt;start&gt; &lt;heartbeat&gt;"
 * </pre>
 *
 * The prefix may contain {@code ':'}; its {@code '%'}, <code>'{'</code> and
 * <code>'}'</code> are percent-encoded so that the hash tag ends where the prefix ends
 * and two prefixes never share a key. Keys are never parsed: worker ids come from the
 * index.
 *
 * @author Worker Exporter
 */
final class RedisKeys {

    private final byte[] index;

    private final byte[] workerPrefix;

    private final byte[] ownerPrefix;

    RedisKeys(String keyPrefix) {
        if (keyPrefix.isEmpty()) {
            throw new IllegalArgumentException("The key prefix must not be empty");
        }
        String tag = "{" + keyPrefix.replace("%", "%25").replace("{", "%7B").replace("}", "%7D") + "}";
        this.index = bytes(tag + ":workers");
        this.workerPrefix = bytes(tag + ":worker:");
        this.ownerPrefix = bytes(tag + ":owner:");
    }

    byte[] index() {
        return this.index;
    }

    byte[] worker(byte[] workerId) {
        return concat(this.workerPrefix, workerId);
    }

    byte[] owner(byte[] workerId) {
        return concat(this.ownerPrefix, workerId);
    }

    private static byte[] concat(byte[] prefix, byte[] workerId) {
        byte[] key = Arrays.copyOf(prefix, prefix.length + workerId.length);
        System.arraycopy(workerId, 0, key, prefix.length, workerId.length);
        return key;
    }

    static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

}
