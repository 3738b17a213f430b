package io.tributary.trainer.cdc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The durable record of each round's cut, one text line per round:
 * {@code round rowCount lsn dataRootHex}. A restarted worker finds the cut it already committed to
 * and trains on, and reveals, the same rows. A trailing line without its newline (a torn write) is
 * ignored and overwritten.
 */
final class RoundLog {

    record Cut(long round, int rowCount, long lsn, byte[] dataRoot) {
    }

    private final Path file;
    private final Map<Long, Cut> cuts = new LinkedHashMap<>();
    private long validBytes;

    private RoundLog(Path file) {
        this.file = file;
    }

    static RoundLog open(Path file) throws IOException {
        RoundLog log = new RoundLog(file);
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            int end = text.lastIndexOf('\n') + 1;
            for (String line : text.substring(0, end).split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                if (f.length != 4) {
                    throw new IOException("round log " + file + ": malformed line '" + line + "'");
                }
                Cut c = new Cut(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
                        HexFormat.of().parseHex(f[3]));
                log.cuts.put(c.round(), c);
            }
            log.validBytes = end;
        }
        return log;
    }

    Cut get(long round) {
        return cuts.get(round);
    }

    /** The largest row count of any recorded cut (0 if none). */
    int maxRowCount() {
        return cuts.values().stream().mapToInt(Cut::rowCount).max().orElse(0);
    }

    void append(Cut c) throws IOException {
        String line = c.round() + " " + c.rowCount() + " " + c.lsn() + " " + HexFormat.of().formatHex(c.dataRoot())
                + "\n";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.truncate(validBytes);
            ch.position(validBytes);
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
            validBytes = ch.position();
        }
        cuts.put(c.round(), c);
    }
}
