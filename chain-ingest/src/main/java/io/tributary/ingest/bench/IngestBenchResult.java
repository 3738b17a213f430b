package io.tributary.ingest.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one ingest benchmark run.
 *
 * @param events logs the fill produced (and the connector had to deliver)
 * @param blocks blocks holding them
 * @param logsPerBlock logs asked per block
 * @param firstBlock first block holding them
 * @param lastBlock last block holding them
 * @param head chain head once filled (the empty blocks on top make the last one confirmed)
 * @param confirmations the connector's confirmation depth for the chain
 * @param fillSeconds how long the fill took
 * @param ranges the {@code eth_getLogs} ranges, inclusive, the connector and the bare loop asked for
 * @param connectorRecords distinct confirmations of those logs seen in {@code chain.events}
 * @param connectorDuplicates records of those logs seen more than once
 * @param connectorFirstRecordSeconds from the connector's creation to the first record visible
 * @param connectorSeconds from the connector's creation to the last record visible
 * @param rpcLogsPerPass logs one pass of the bare loop got back (the fill's and any others of the contracts)
 * @param rpcPasses passes of the bare loop
 * @param rpcBestPassSeconds the fastest pass
 * @param connectorOverrides options set on top of the connector configuration for this run
 */
public record IngestBenchResult(
        long events,
        long blocks,
        int logsPerBlock,
        long firstBlock,
        long lastBlock,
        long head,
        int confirmations,
        double fillSeconds,
        List<BlockRange> ranges,
        long connectorRecords,
        long connectorDuplicates,
        double connectorFirstRecordSeconds,
        double connectorSeconds,
        long rpcLogsPerPass,
        int rpcPasses,
        double rpcBestPassSeconds,
        Map<String, String> connectorOverrides) {

    /** The goal: the connector delivers at least this share of what the RPC alone delivers. */
    public static final double GOAL_VS_RPC_CEILING = 0.7;
    /** The goal in logs per second. */
    public static final double GOAL_LOGS_PER_S = 5_000;

    public IngestBenchResult {
        ranges = List.copyOf(ranges);
        connectorOverrides = Map.copyOf(connectorOverrides);
    }

    /** Records of the fill's logs in {@code chain.events} per second since the connector was created. */
    public double logsPerSecond() {
        return connectorRecords / connectorSeconds;
    }

    /** Logs per second of the bare {@code eth_getLogs} loop over the same ranges. */
    public double rpcCeilingLogsPerSecond() {
        return rpcLogsPerPass / rpcBestPassSeconds;
    }

    public double logsVsRpcCeiling() {
        return logsPerSecond() / rpcCeilingLogsPerSecond();
    }

    public boolean ceilingGoalMet() {
        return logsVsRpcCeiling() >= GOAL_VS_RPC_CEILING;
    }

    public boolean rateGoalMet() {
        return logsPerSecond() >= GOAL_LOGS_PER_S;
    }

    /** Every figure under a snake_case name, in a stable order. */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("logs_per_s", round(logsPerSecond()));
        j.put("rpc_ceiling_logs_per_s", round(rpcCeilingLogsPerSecond()));
        j.put("logs_vs_rpc_ceiling", Math.round(logsVsRpcCeiling() * 1000) / 1000.0);
        j.put("events", events);
        j.put("blocks", blocks);
        j.put("logs_per_block", logsPerBlock);
        j.put("first_block", firstBlock);
        j.put("last_block", lastBlock);
        j.put("head", head);
        j.put("confirmations", confirmations);
        j.put("fill_s", round(fillSeconds));
        j.put("ranges", ranges.stream().map(r -> List.of(r.from(), r.to())).toList());
        j.put("range_count", ranges.size());
        j.put("connector_records", connectorRecords);
        j.put("connector_duplicates", connectorDuplicates);
        j.put("connector_first_record_s", round(connectorFirstRecordSeconds));
        j.put("connector_s", round(connectorSeconds));
        j.put("rpc_logs_per_pass", rpcLogsPerPass);
        j.put("rpc_passes", rpcPasses);
        j.put("rpc_best_pass_s", round(rpcBestPassSeconds));
        j.put("connector_overrides", new java.util.TreeMap<>(connectorOverrides));
        Map<String, Object> goals = new LinkedHashMap<>();
        goals.put("logs_vs_rpc_ceiling", BenchOutput.atLeast(GOAL_VS_RPC_CEILING, ceilingGoalMet()));
        goals.put("logs_per_s", BenchOutput.atLeast(GOAL_LOGS_PER_S, rateGoalMet()));
        j.put("goals", goals);
        j.put("goals_met", ceilingGoalMet() && rateGoalMet());
        return j;
    }

    /** Writes {@link #toJson()} to {@code file}, creating its folder. */
    public void write(Path file) throws IOException {
        BenchOutput.write(toJson(), file);
    }

    private static double round(double v) {
        return BenchOutput.round3(v);
    }
}
