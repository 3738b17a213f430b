package io.tributary.infra.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoReportTest {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static DemoReport report() {
        List<DemoReport.Round> rounds = List.of(
                new DemoReport.Round(0, 0.81, 0.62, 6, 0, "0x" + "11".repeat(32), "0x" + "22".repeat(32),
                        "0x" + "aa".repeat(32), 86_951, 41.5),
                new DemoReport.Round(1, 0.90, 0.35, 6, 2, "0x" + "33".repeat(32), "0x" + "44".repeat(32),
                        "0x" + "bb".repeat(32), 86_946, 39.0));
        return new DemoReport(rounds, 0.90,
                List.of(new DemoReport.Reward(31337, "0x" + "01".repeat(20), BigInteger.valueOf(500)),
                        new DemoReport.Reward(412346, "0x" + "02".repeat(20), BigInteger.valueOf(499))),
                new DemoReport.Escrow(BigInteger.valueOf(1000), BigInteger.valueOf(999), BigInteger.ZERO));
    }

    @Test
    void shouldWriteTheReportFieldsAndTwoPngPlotsWhenWritten() throws Exception {
        Path dir = Path.of("target", "demo-report-test");
        report().write(dir);

        JsonNode json = new ObjectMapper().readTree(dir.resolve(DemoReport.JSON).toFile());
        assertEquals(2, json.get("rounds").size());
        JsonNode r1 = json.get("rounds").get(1);
        for (String field : List.of("round", "accuracy", "loss", "contributors", "rejected", "modelRoot",
                "contributionsRoot", "commitTx", "commitGas", "seconds")) {
            assertTrue(r1.has(field), field);
        }
        assertEquals(86_946, r1.get("commitGas").asLong());
        assertEquals(0.90, json.get("final_accuracy").asDouble());
        assertEquals("412346", json.get("rewards").get(1).get("chain").asText());
        assertEquals(new BigInteger("999"), json.get("escrow").get("paid").bigIntegerValue());

        for (String png : List.of(DemoReport.ACCURACY_PNG, DemoReport.GAS_PNG)) {
            byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertTrue(bytes.length > 2_000, png + " is " + bytes.length + " bytes");
            assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8), png);
        }
    }

    @Test
    void shouldBalanceOnlyWhenNothingIsCreatedAndAtMostTheDustIsHeld() {
        DemoReport.Escrow exact = new DemoReport.Escrow(BigInteger.valueOf(1000), BigInteger.valueOf(990), BigInteger.TEN);
        DemoReport.Escrow dust = new DemoReport.Escrow(BigInteger.valueOf(1000), BigInteger.valueOf(997), BigInteger.ZERO);
        DemoReport.Escrow overpaid = new DemoReport.Escrow(BigInteger.valueOf(1000), BigInteger.valueOf(1001), BigInteger.ZERO);
        assertTrue(exact.balances(BigInteger.ZERO));
        assertTrue(dust.balances(BigInteger.valueOf(5)));
        assertFalse(dust.balances(BigInteger.ONE));
        assertFalse(overpaid.balances(BigInteger.TEN));
    }
}
