package io.tributary.contracts.tx;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * The writer's state on disk: {@code txwriter-state.json} in the state directory, replaced atomically
 * (write a temporary file, force it to disk, rename over the old one).
 *
 * <p>Format version 1: a header line {@code tributary-txwriter-state 1 sha256=<hex of the body>}
 * followed by the JSON body {@code {"chainId", "address", "nextNonce", "records": [...]}}. The
 * checksum catches truncation and bit rot; an unknown version is refused, not guessed at.
 */
final class StateFile {

    static final String FILE_NAME = "txwriter-state.json";
    static final int VERSION = 1;
    private static final String MAGIC = "tributary-txwriter-state";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Path temp;

    StateFile(Path dir) {
        this.file = dir.resolve(FILE_NAME);
        this.temp = dir.resolve(FILE_NAME + ".tmp");
    }

    Path path() {
        return file;
    }

    /** The stored state, or empty when there is none yet. */
    Optional<WriterState> load() throws StateFileException, IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(decode(bytes));
    }

    void save(WriterState state) throws IOException {
        byte[] bytes = encode(state);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static byte[] encode(WriterState state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("chainId", state.chainId());
        root.put("address", state.address());
        root.put("nextNonce", state.nextNonce());
        ArrayNode records = root.putArray("records");
        for (TxRecord r : state.records()) {
            ObjectNode o = records.addObject();
            o.put("key", r.key());
            o.put("nonce", r.nonce());
            ArrayNode hashes = o.putArray("hashes");
            r.hashes().forEach(hashes::add);
            o.put("rawTx", r.rawTx());
            o.put("status", r.status().name());
            if (r.blockNumber() != null) {
                o.put("blockNumber", r.blockNumber().toString());
                o.put("minedHash", r.minedHash());
                o.put("success", r.success());
            }
            if (!r.detail().isEmpty()) {
                o.put("detail", r.detail());
            }
        }
        byte[] body;
        try {
            body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize writer state", e);
        }
        String header = MAGIC + " " + VERSION + " sha256=" + Numeric.toHexStringNoPrefix(Hash.sha256(body)) + "\n";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    WriterState decode(byte[] bytes) throws StateFileException {
        int newline = -1;
        for (int i = 0; i < bytes.length && i < 200; i++) {
            if (bytes[i] == '\n') {
                newline = i;
                break;
            }
        }
        if (newline < 0) {
            throw corrupt("no header line", null);
        }
        String[] header = new String(bytes, 0, newline, StandardCharsets.US_ASCII).split(" ");
        if (header.length != 3 || !header[0].equals(MAGIC) || !header[2].startsWith("sha256=")) {
            throw corrupt("not a transaction writer state file (header '" + String.join(" ", header) + "')", null);
        }
        int version;
        try {
            version = Integer.parseInt(header[1]);
        } catch (NumberFormatException e) {
            throw corrupt("unreadable version '" + header[1] + "'", e);
        }
        if (version != VERSION) {
            throw new StateFileException(StateFileException.Reason.UNSUPPORTED_VERSION, file,
                    "format version " + version + ", this writer reads version " + VERSION, null);
        }
        byte[] body = new byte[bytes.length - newline - 1];
        System.arraycopy(bytes, newline + 1, body, 0, body.length);
        String expected = header[2].substring("sha256=".length());
        String actual = Numeric.toHexStringNoPrefix(Hash.sha256(body));
        if (!actual.equalsIgnoreCase(expected)) {
            throw corrupt("checksum mismatch (file says " + expected + ", content hashes to " + actual + ")", null);
        }
        try {
            JsonNode root = JSON.readTree(body);
            WriterState state = new WriterState(required(root, "chainId").asLong(),
                    required(root, "address").asText(), required(root, "nextNonce").asLong());
            for (JsonNode o : required(root, "records")) {
                List<String> hashes = new ArrayList<>();
                required(o, "hashes").forEach(h -> hashes.add(h.asText()));
                JsonNode block = o.get("blockNumber");
                state.put(new TxRecord(required(o, "key").asText(), required(o, "nonce").asLong(), hashes,
                        required(o, "rawTx").asText(), TxRecord.Status.valueOf(required(o, "status").asText()),
                        block == null ? null : new BigInteger(block.asText()),
                        o.hasNonNull("minedHash") ? o.get("minedHash").asText() : null,
                        o.path("success").asBoolean(false), o.path("detail").asText("")));
            }
            return state;
        } catch (IOException | RuntimeException e) {
            throw corrupt("unreadable body: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return value;
    }

    private StateFileException corrupt(String message, Throwable cause) {
        return new StateFileException(StateFileException.Reason.CORRUPT, file,
                message + "; the writer will not start on a damaged state file (it guards against"
                        + " duplicate writes): restore it, or move it away once every recorded"
                        + " transaction is known to be mined or dropped", cause);
    }
}
