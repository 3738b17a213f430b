package io.tributary.ingest.intake;

import io.tributary.schemas.avro.AggregationRule;
import io.tributary.schemas.avro.TaskSpec;
import java.util.List;

/** A sane task spec for tests: model 1, three rounds, FedAvg, on the given chains. */
public final class Specs {

    private Specs() {}

    public static TaskSpec.Builder sane(long startTime, Long... chains) {
        return TaskSpec.newBuilder()
                .setModelId("0x" + "00".repeat(31) + "01")
                .setDatasetRoot("0x" + "bb".repeat(32))
                .setParameters(101_770)
                .setRounds(3)
                .setMinContributors(1)
                .setMaxContributors(64)
                .setStartTime(startTime)
                .setCommitSeconds(600)
                .setRevealSeconds(600)
                .setChallengeSeconds(300)
                .setClipL2Micros(5_000_000)
                .setExpMin(-24)
                .setExpMax(-4)
                .setMaxWeight(10_000)
                .setRule(AggregationRule.FEDAVG)
                .setRuleParam(0)
                .setChains(List.of(chains));
    }
}
