// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title ITaskCoordinator
/// @notice Types shared by the home chain's TaskCoordinator and its callers (the Java intake signs
///         {TaskRequest} with EIP-712, see PROTOCOL.md).
interface ITaskCoordinator {
    /// @notice How the round's updates are combined (decided off-chain by the aggregation job).
    enum AggregationRule {
        FedAvg,
        Median,
        TrimmedMean, // ruleParam = beta, per mille of each tail trimmed (< 500)
        MultiKrum // ruleParam = f, the number of Byzantine workers tolerated
    }

    /// @notice Where a round stands. Open -> Committing -> Revealing -> Aggregating -> Challenging
    ///         -> Finalized, or Failed (no commitment in time, rejected, or the task was cancelled
    ///         before the round was committed).
    enum Phase {
        Open,
        Committing,
        Revealing,
        Aggregating,
        Challenging,
        Finalized,
        Failed
    }

    /// @notice What a client asks for. Round r opens at startTime + r * roundPeriod; commits until
    ///         + commitWindow, reveals until + revealWindow, then the aggregator has aggregateWindow
    ///         to commit the round, after which the challenge window runs for challengeWindow.
    struct TaskSpec {
        uint64 modelId;
        bytes32 datasetRoot;
        uint16 rounds;
        uint32 minContributors;
        uint32 maxContributors;
        uint64 maxWeight;
        uint64 startTime;
        uint32 roundPeriod;
        uint32 commitWindow;
        uint32 revealWindow;
        uint32 aggregateWindow;
        uint32 challengeWindow;
        uint64 clipBound; // L2 clip bound of an update, fixed point with 32 fractional bits
        int8 expMin;
        int8 expMax;
        AggregationRule rule;
        uint16 ruleParam;
        uint64[] chainIds;
    }

    /// @notice A client's signed request to post a task, submitted by a relayer (postTaskFor).
    struct TaskRequest {
        address client;
        uint256 bounty;
        uint256 nonce;
        uint256 deadline;
        TaskSpec spec;
    }

    /// @notice An ERC-2612 permit of the bounty to the coordinator.
    struct Permit {
        uint256 value;
        uint256 deadline;
        uint8 v;
        bytes32 r;
        bytes32 s;
    }
}
