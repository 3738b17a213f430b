package io.tributary.ingest.abi;

import java.util.List;
import java.util.Objects;

/**
 * A Solidity ABI type, parsed from the {@code type}/{@code components} of an ABI JSON parameter:
 * elementary ({@code uint<N>}, {@code int<N>}, {@code address}, {@code bool}, {@code bytes<N>},
 * {@code bytes}, {@code string}), fixed or dynamic arrays, and tuples.
 */
public sealed interface AbiType {

    /** Whether the value is encoded in the tail (behind an offset) rather than in place. */
    boolean isDynamic();

    /** Bytes the value takes in the head when it is static. */
    int headSize();

    /** The canonical type name used in event signatures, e.g. {@code (uint256,address)[]}. */
    String canonical();

    enum Kind { UINT, INT, ADDRESS, BOOL, FIXED_BYTES, BYTES, STRING }

    /** A value type or {@code bytes}/{@code string}; {@code size} is the bit width or byte length. */
    record Elementary(Kind kind, int size) implements AbiType {
        public Elementary {
            Objects.requireNonNull(kind, "kind");
        }

        @Override
        public boolean isDynamic() {
            return kind == Kind.BYTES || kind == Kind.STRING;
        }

        @Override
        public int headSize() {
            return 32;
        }

        @Override
        public String canonical() {
            return switch (kind) {
                case UINT -> "uint" + size;
                case INT -> "int" + size;
                case ADDRESS -> "address";
                case BOOL -> "bool";
                case FIXED_BYTES -> "bytes" + size;
                case BYTES -> "bytes";
                case STRING -> "string";
            };
        }
    }

    /** {@code T[]} when {@code length} is -1, {@code T[length]} otherwise. */
    record Array(AbiType element, int length) implements AbiType {
        public Array {
            Objects.requireNonNull(element, "element");
        }

        public boolean isFixed() {
            return length >= 0;
        }

        @Override
        public boolean isDynamic() {
            return !isFixed() || element.isDynamic();
        }

        @Override
        public int headSize() {
            return isDynamic() ? 32 : length * element.headSize();
        }

        @Override
        public String canonical() {
            return element.canonical() + "[" + (isFixed() ? Integer.toString(length) : "") + "]";
        }
    }

    /** A struct: its components with their names (a name may be empty). */
    record Tuple(List<AbiType> components, List<String> names) implements AbiType {
        public Tuple {
            components = List.copyOf(components);
            names = List.copyOf(names);
            if (components.size() != names.size()) {
                throw new IllegalArgumentException("tuple has " + components.size() + " components but "
                        + names.size() + " names");
            }
        }

        @Override
        public boolean isDynamic() {
            return components.stream().anyMatch(AbiType::isDynamic);
        }

        @Override
        public int headSize() {
            return isDynamic() ? 32 : components.stream().mapToInt(AbiType::headSize).sum();
        }

        @Override
        public String canonical() {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < components.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(components.get(i).canonical());
            }
            return sb.append(')').toString();
        }
    }

    /**
     * Parses a type string; {@code tupleComponents} supplies the components when the base type is
     * {@code tuple}. Throws {@link IllegalArgumentException} naming the bad type.
     */
    static AbiType parse(String type, Tuple tupleComponents) {
        Objects.requireNonNull(type, "type");
        String t = type.trim();
        if (t.endsWith("]")) {
            int open = t.lastIndexOf('[');
            if (open < 0) {
                throw new IllegalArgumentException("bad ABI type '" + type + "'");
            }
            String dim = t.substring(open + 1, t.length() - 1);
            AbiType element = parse(t.substring(0, open), tupleComponents);
            int length;
            try {
                length = dim.isEmpty() ? -1 : Integer.parseInt(dim);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad array length in ABI type '" + type + "'", e);
            }
            if (!dim.isEmpty() && length <= 0) {
                throw new IllegalArgumentException("bad array length in ABI type '" + type + "'");
            }
            return new Array(element, length);
        }
        if (t.equals("tuple")) {
            if (tupleComponents == null) {
                throw new IllegalArgumentException("tuple type without components");
            }
            return tupleComponents;
        }
        if (t.equals("address")) {
            return new Elementary(Kind.ADDRESS, 160);
        }
        if (t.equals("bool")) {
            return new Elementary(Kind.BOOL, 8);
        }
        if (t.equals("string")) {
            return new Elementary(Kind.STRING, 0);
        }
        if (t.equals("bytes")) {
            return new Elementary(Kind.BYTES, 0);
        }
        if (t.equals("function")) {
            return new Elementary(Kind.FIXED_BYTES, 24);
        }
        if (t.startsWith("uint") || t.startsWith("int")) {
            boolean unsigned = t.startsWith("uint");
            String bits = t.substring(unsigned ? 4 : 3);
            int n = bits.isEmpty() ? 256 : parseSize(bits, type);
            if (n % 8 != 0 || n < 8 || n > 256) {
                throw new IllegalArgumentException("bad integer width in ABI type '" + type + "'");
            }
            return new Elementary(unsigned ? Kind.UINT : Kind.INT, n);
        }
        if (t.startsWith("bytes")) {
            int n = parseSize(t.substring(5), type);
            if (n < 1 || n > 32) {
                throw new IllegalArgumentException("bad length in ABI type '" + type + "'");
            }
            return new Elementary(Kind.FIXED_BYTES, n);
        }
        throw new IllegalArgumentException("unsupported ABI type '" + type + "'");
    }

    private static int parseSize(String digits, String type) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad ABI type '" + type + "'", e);
        }
    }
}
