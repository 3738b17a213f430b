package io.tributary.schemas.tensor;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;

/**
 * A channel that appends to a growable heap array: Arrow's writer copies each buffer once into
 * it (Channels.newChannel over a ByteArrayOutputStream copies three times).
 */
final class ByteArrayChannel implements WritableByteChannel {

    private byte[] bytes;
    private int size;
    private boolean open = true;

    ByteArrayChannel(int initialCapacity) {
        this.bytes = new byte[Math.max(64, initialCapacity)];
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + n, bytes.length * 2));
        }
        src.get(bytes, size, n);
        size += n;
        return n;
    }

    /** The bytes written, as an exact-length array. */
    byte[] toByteArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
