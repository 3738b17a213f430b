package io.tributary.ingest.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.TypeEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.DynamicBytes;
import org.web3j.abi.datatypes.DynamicStruct;
import org.web3j.abi.datatypes.StaticStruct;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes3;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Int256;
import org.web3j.abi.datatypes.generated.Int8;
import org.web3j.abi.datatypes.generated.StaticArray2;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.abi.datatypes.generated.Uint8;
import org.web3j.crypto.Hash;

/**
 * Decoding checked against web3j's independent ABI encoder, for every argument kind the
 * connector has to handle.
 */
class EventAbiTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String ALICE = "0x00000000000000000000000000000000000a11ce";
    private static final String BOB = "0x0000000000000000000000000000000000000b0b";

    private static final String ABI = """
            [
              {"type":"function","name":"ignored","inputs":[],"outputs":[]},
              {"type":"event","name":"Transfer","anonymous":false,"inputs":[
                {"name":"from","type":"address","indexed":true},
                {"name":"to","type":"address","indexed":true},
                {"name":"value","type":"uint256","indexed":false}]},
              {"type":"event","name":"Everything","anonymous":false,"inputs":[
                {"name":"small","type":"uint8","indexed":false},
                {"name":"negative","type":"int256","indexed":false},
                {"name":"tiny","type":"int8","indexed":false},
                {"name":"flag","type":"bool","indexed":false},
                {"name":"who","type":"address","indexed":false},
                {"name":"digest","type":"bytes32","indexed":false},
                {"name":"short","type":"bytes3","indexed":false},
                {"name":"blob","type":"bytes","indexed":false},
                {"name":"text","type":"string","indexed":false},
                {"name":"amounts","type":"uint256[]","indexed":false},
                {"name":"pair","type":"address[2]","indexed":false},
                {"name":"labels","type":"string[]","indexed":false},
                {"name":"point","type":"tuple","indexed":false,"components":[
                  {"name":"x","type":"uint256"},{"name":"owner","type":"address"}]},
                {"name":"entries","type":"tuple[]","indexed":false,"components":[
                  {"name":"id","type":"uint256"},{"name":"note","type":"string"}]}]},
              {"type":"event","name":"Indexed","anonymous":false,"inputs":[
                {"name":"id","type":"uint256","indexed":true},
                {"name":"name","type":"string","indexed":true},
                {"name":"ok","type":"bool","indexed":true},
                {"name":"","type":"int256","indexed":false}]},
              {"type":"event","name":"Hidden","anonymous":true,"inputs":[]}
            ]
            """;

    private static byte[] encode(Type<?>... values) {
        return HEX.parseHex(FunctionEncoder.encodeConstructor(Arrays.asList(values)));
    }

    private static byte[] word(Type<?> value) {
        return HEX.parseHex(TypeEncoder.encode(value));
    }

    private static byte[] topic(String eventSignature) {
        return HEX.parseHex(Hash.sha3String(eventSignature).substring(2));
    }

    private final ContractAbi abi = parse();

    private static ContractAbi parse() {
        try {
            return ContractAbi.parse("Sample", ABI);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldComputeTheWellKnownTransferTopic() {
        assertThat(abi.event("0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"))
                .hasValueSatisfying(e -> assertThat(e.signature()).isEqualTo("Transfer(address,address,uint256)"));
    }

    @Test
    void shouldSkipAnonymousEventsAndFunctions() {
        assertThat(abi.events()).extracting(EventAbi::name).containsExactlyInAnyOrder("Transfer", "Everything", "Indexed");
    }

    @Test
    void shouldDecodeIndexedAddressesAndDataIntegers() throws Exception {
        EventAbi transfer = abi.events().stream().filter(e -> e.name().equals("Transfer")).findFirst().orElseThrow();
        Map<String, String> fields = transfer.decode(
                List.of(topic(transfer.signature()), word(new Address(ALICE)), word(new Address(BOB))),
                encode(new Uint256(new BigInteger("115792089237316195423570985008687907853269984665640564039457584007913129639935"))));
        assertThat(fields).containsExactly(
                Map.entry("from", ALICE), Map.entry("to", BOB),
                Map.entry("value", "115792089237316195423570985008687907853269984665640564039457584007913129639935"));
    }

    @Test
    void shouldDecodeEveryArgumentKindOfTheData() throws Exception {
        EventAbi everything = abi.events().stream().filter(e -> e.name().equals("Everything")).findFirst().orElseThrow();
        assertThat(everything.signature()).isEqualTo("Everything(uint8,int256,int8,bool,address,bytes32,bytes3,bytes,"
                + "string,uint256[],address[2],string[],(uint256,address),(uint256,string)[])");
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xfe;
        digest[31] = 1;
        byte[] data = encode(
                new Uint8(255),
                new Int256(BigInteger.valueOf(-5)),
                new Int8(-128),
                new Bool(true),
                new Address(ALICE),
                new Bytes32(digest),
                new Bytes3(new byte[] {1, 2, 3}),
                new DynamicBytes(new byte[] {(byte) 0xca, (byte) 0xfe}),
                new Utf8String("grüße \"quoted\""),
                new DynamicArray<>(Uint256.class, List.of(new Uint256(1), new Uint256(20))),
                new StaticArray2<>(Address.class, List.of(new Address(ALICE), new Address(BOB))),
                new DynamicArray<>(Utf8String.class, List.of(new Utf8String("a"), new Utf8String(""))),
                new StaticStruct(new Uint256(7), new Address(BOB)),
                new DynamicArray<>(DynamicStruct.class, List.of(
                        new DynamicStruct(new Uint256(1), new Utf8String("one")),
                        new DynamicStruct(new Uint256(2), new Utf8String("two")))));
        Map<String, String> fields = everything.decode(List.of(topic(everything.signature())), data);
        assertThat(fields).containsEntry("small", "255")
                .containsEntry("negative", "-5")
                .containsEntry("tiny", "-128")
                .containsEntry("flag", "true")
                .containsEntry("who", ALICE)
                .containsEntry("digest", "0xfe" + "00".repeat(30) + "01")
                .containsEntry("short", "0x010203")
                .containsEntry("blob", "0xcafe")
                .containsEntry("text", "grüße \"quoted\"")
                .containsEntry("amounts", "[1,20]")
                .containsEntry("pair", "[\"" + ALICE + "\",\"" + BOB + "\"]")
                .containsEntry("labels", "[\"a\",\"\"]")
                .containsEntry("point", "{\"x\":7,\"owner\":\"" + BOB + "\"}")
                .containsEntry("entries", "[{\"id\":1,\"note\":\"one\"},{\"id\":2,\"note\":\"two\"}]");
        assertThat(new ArrayList<>(fields.keySet())).as("fields keep the ABI order").startsWith("small", "negative");
    }

    @Test
    void shouldKeepTheHashOfIndexedDynamicValuesAndNameUnnamedArguments() throws Exception {
        EventAbi indexed = abi.events().stream().filter(e -> e.name().equals("Indexed")).findFirst().orElseThrow();
        byte[] nameHash = Hash.sha3("tributary".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Map<String, String> fields = indexed.decode(
                List.of(topic(indexed.signature()), word(new Uint256(99)), nameHash, word(new Bool(false))),
                encode(new Int256(BigInteger.valueOf(-1))));
        assertThat(fields).containsExactly(Map.entry("id", "99"), Map.entry("name", AbiCodec.hex(nameHash)),
                Map.entry("ok", "false"), Map.entry("arg3", "-1"));
    }

    @Test
    void shouldRefuseTruncatedData() {
        EventAbi transfer = abi.events().stream().filter(e -> e.name().equals("Transfer")).findFirst().orElseThrow();
        assertThatThrownBy(() -> transfer.decode(
                List.of(topic(transfer.signature()), word(new Address(ALICE)), word(new Address(BOB))), new byte[31]))
                .isInstanceOf(AbiDecodingException.class).hasMessageContaining("data ends");
    }

    @Test
    void shouldRefuseWrongTopicCount() {
        EventAbi transfer = abi.events().stream().filter(e -> e.name().equals("Transfer")).findFirst().orElseThrow();
        assertThatThrownBy(() -> transfer.decode(List.of(topic(transfer.signature())), encode(new Uint256(1))))
                .isInstanceOf(AbiDecodingException.class).hasMessageContaining("topics");
    }

    @Test
    void shouldRefuseDirtyPaddingAndOutOfRangeValues() {
        byte[] dirtyAddress = word(new Address(ALICE));
        dirtyAddress[0] = 1;
        assertThatThrownBy(() -> AbiCodec.decodeWord(new AbiType.Elementary(AbiType.Kind.ADDRESS, 160), dirtyAddress))
                .hasMessageContaining("padding");
        byte[] two = word(new Uint256(2));
        assertThatThrownBy(() -> AbiCodec.decodeWord(new AbiType.Elementary(AbiType.Kind.BOOL, 8), two))
                .isInstanceOf(AbiDecodingException.class);
        byte[] big = word(new Uint256(256));
        assertThatThrownBy(() -> AbiCodec.decodeWord(new AbiType.Elementary(AbiType.Kind.UINT, 8), big))
                .hasMessageContaining("does not fit");
    }

    @Test
    void shouldRefuseOffsetsAndLengthsPastTheEnd() {
        byte[] data = encode(new Utf8String("hello"));
        data[31] = 0x40; // offset 64 -> length word at 64..96 is missing
        assertThatThrownBy(() -> AbiCodec.decode(List.of(AbiType.parse("string", null)), Arrays.copyOf(data, 64)))
                .isInstanceOf(AbiDecodingException.class);
        byte[] longArray = encode(new DynamicArray<>(Uint256.class, List.of(new Uint256(1))));
        longArray[63] = 100; // claims 100 elements
        assertThatThrownBy(() -> AbiCodec.decode(List.of(AbiType.parse("uint256[]", null)), longArray))
                .hasMessageContaining("exceeds");
    }

    @Test
    void shouldRefuseInvalidUtf8() {
        byte[] data = encode(new DynamicBytes(new byte[] {(byte) 0xff, (byte) 0xfe}));
        assertThatThrownBy(() -> AbiCodec.decode(List.of(AbiType.parse("string", null)), data))
                .hasMessageContaining("UTF-8");
    }

    @Test
    void shouldParseNestedArrayTypes() {
        AbiType t = AbiType.parse("uint256[2][]", null);
        assertThat(t.canonical()).isEqualTo("uint256[2][]");
        assertThat(t.isDynamic()).isTrue();
        assertThat(((AbiType.Array) t).element().headSize()).isEqualTo(64);
        assertThatThrownBy(() -> AbiType.parse("uint7", null)).hasMessageContaining("uint7");
        assertThatThrownBy(() -> AbiType.parse("fixed128x18", null)).hasMessageContaining("unsupported");
    }
}
