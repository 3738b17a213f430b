package io.tributary.trainer.cdc;

import io.tributary.trainer.data.DataRoot;
import io.tributary.trainer.data.Sample;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows a worker received, durable and in arrival (commit) order: an append-only file of
 * records {@code length (int32 BE) || payload || crc32c(payload) (int32 BE)} with
 * {@code payload = lsn (int64 BE) || row leaf} (the {@link DataRoot} leaf encoding).
 *
 * <p>Rows are forced to disk before the CDC engine is told they were processed, so Debezium's
 * offsets never run ahead of the log; after a crash the engine may deliver rows again, and
 * {@link #append} drops every row whose identity is already in the log. On open, a torn or corrupt
 * tail (a crash in the middle of a write) is cut off. Not thread-safe; the source synchronizes.
 */
final class RowLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RowLog.class);

    /** One received row and the log position it came with. */
    record Entry(long lsn, Sample sample) {
    }

    private final Path file;
    private final FileChannel channel;
    private final List<Sample> rows = new ArrayList<>();
    private final List<Long> lsns = new ArrayList<>();
    private final Set<ByteBuffer> ids = new HashSet<>();
    private long duplicates;

    private RowLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    static RowLog open(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        RowLog log = new RowLog(file, ch);
        try {
            log.load();
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return log;
    }

    private void load() throws IOException {
        long size = channel.size();
        long pos = 0;
        ByteBuffer head = ByteBuffer.allocate(4);
        while (pos + 4 <= size) {
            head.clear();
            readFully(head, pos);
            int len = head.flip().getInt();
            if (len < 8 || pos + 4 + len + 4 > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(len + 4);
            readFully(body, pos + 4);
            body.flip();
            byte[] payload = new byte[len];
            body.get(payload);
            int crc = body.getInt();
            if (crc32c(payload) != crc) {
                break;
            }
            ByteBuffer p = ByteBuffer.wrap(payload);
            long lsn = p.getLong();
            byte[] leaf = new byte[len - 8];
            p.get(leaf);
            add(lsn, DataRoot.parseLeaf(leaf));
            pos += 4 + len + 4;
        }
        if (pos < size) {
            LOG.warn("row log {}: cutting a torn or corrupt tail of {} bytes after {} rows", file, size - pos,
                    rows.size());
            channel.truncate(pos);
            channel.force(true);
        }
        channel.position(pos);
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf, pos + buf.position()) < 0) {
                throw new IOException("unexpected end of " + file);
            }
        }
    }

    /**
     * Appends the entries whose row identity is new (and new within {@code entries}), forces them to
     * disk, and returns how many were appended.
     */
    int append(List<Entry> entries) throws IOException {
        List<Entry> fresh = new ArrayList<>();
        Set<ByteBuffer> batchIds = new HashSet<>();
        for (Entry e : entries) {
            ByteBuffer id = ByteBuffer.wrap(e.sample().rowId());
            if (ids.contains(id) || !batchIds.add(id)) {
                duplicates++;
                continue;
            }
            fresh.add(e);
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        List<ByteBuffer> out = new ArrayList<>();
        for (Entry e : fresh) {
            byte[] leaf = DataRoot.leaf(e.sample());
            byte[] payload = ByteBuffer.allocate(8 + leaf.length).putLong(e.lsn()).put(leaf).array();
            out.add(ByteBuffer.allocate(4 + payload.length + 4).putInt(payload.length).put(payload)
                    .putInt(crc32c(payload)).flip());
        }
        for (ByteBuffer b : out) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }
        channel.force(false);
        for (Entry e : fresh) {
            add(e.lsn(), e.sample());
        }
        return fresh.size();
    }

    private void add(long lsn, Sample s) {
        if (!ids.add(ByteBuffer.wrap(s.rowId()))) {
            throw new IllegalStateException("row log " + file + " holds a row identity twice");
        }
        rows.add(s);
        lsns.add(lsn);
    }

    int size() {
        return rows.size();
    }

    /** The first {@code count} rows (a copy of the list; samples are immutable). */
    List<Sample> rows(int count) {
        return List.copyOf(rows.subList(0, count));
    }

    /** The log position of row {@code index}, or -1 for index -1. */
    long lsn(int index) {
        return index < 0 ? -1 : lsns.get(index);
    }

    /** Rows delivered again (after a restart) and dropped because the log already had them. */
    long duplicates() {
        return duplicates;
    }

    private static int crc32c(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
