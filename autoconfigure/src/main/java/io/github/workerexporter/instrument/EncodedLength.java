package io.github.workerexporter.instrument;

import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Number of bytes that characters encode to in one charset: computed without allocation
 * for UTF-8 and the single-byte charsets, by encoding for any other charset.
 *
 * @author Worker Exporter
 */
final class EncodedLength {

    private final Charset charset;

    private final boolean utf8;

    private final boolean singleByte;

    EncodedLength(Charset charset) {
        this.charset = charset;
        this.utf8 = StandardCharsets.UTF_8.equals(charset);
        this.singleByte = charset.newEncoder().maxBytesPerChar() == 1.0f;
    }

    long of(char c) {
        return this.singleByte ? 1 : (this.utf8 ? utf8(c) : of(String.valueOf(c), 0, 1));
    }

    long of(CharSequence chars, int off, int len) {
        if (this.singleByte) {
            return len;
        }
        if (!this.utf8) {
            return this.charset.encode(CharBuffer.wrap(chars, off, off + len)).remaining();
        }
        long bytes = 0;
        for (int i = off; i < off + len; i++) {
            bytes += utf8(chars.charAt(i));
        }
        return bytes;
    }

    long of(char[] chars, int off, int len) {
        return of(CharBuffer.wrap(chars), off, len);
    }

    /**
     * UTF-8 length of one char; each half of a surrogate pair counts 2 of the pair's 4.
     */
    private static int utf8(char c) {
        if (c < 0x80) {
            return 1;
        }
        return (c < 0x800 || Character.isSurrogate(c)) ? 2 : 3;
    }

}
