// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Messages
/// @notice Encodings of every cross-chain payload of the protocol, sent through an Axelar-shaped
///         gateway (`IAxelarGateway.callContract`) and decoded by the receiver's `_execute`.
/// @dev Every payload is `abi.encode(uint8 kind, ...fields)`: the first 32-byte word is the kind, the
///      rest are the kind's fields in the order listed here (see PROTOCOL.md). A payload whose
///      body does not decode reverts in `abi.decode`; the gateway approval then stays unconsumed.
library Messages {
    /// @notice Coordinator -> WorkerHub: a task was posted; carries its round schedule.
    uint8 internal constant TASK_POSTED = 1;
    /// @notice Coordinator -> WorkerHub: a task was cancelled; no further commits.
    uint8 internal constant TASK_CANCELLED = 2;
    /// @notice Coordinator -> WorkerHub: slash a worker's stake.
    uint8 internal constant WORKER_SLASHED = 3;
    /// @notice Coordinator -> RewardVault: a round is final; mint the chain's share to claimers.
    uint8 internal constant ROUND_FINALIZED = 4;
    /// @notice RewardVault -> Coordinator: wrapped reward was burned; release it from home escrow.
    uint8 internal constant REWARD_RETURNED = 5;

    /// @notice The payload is shorter than its kind word.
    error MessagesPayloadTooShort(uint256 length);

    /// @notice A task's round schedule as the hubs need it to check commit and reveal windows.
    /// @dev Round r opens at startTime + r * roundPeriod; commits are accepted until
    ///      open + commitWindow (exclusive), reveals from then until + revealWindow (exclusive).
    struct Schedule {
        uint64 startTime;
        uint32 roundPeriod;
        uint32 commitWindow;
        uint32 revealWindow;
        uint16 rounds;
        uint64 maxWeight;
    }

    /// @notice Reads the kind word of a payload.
    /// @param payload The payload as received.
    /// @return The kind (one of the constants above, or anything else for an unknown kind).
    function kind(bytes calldata payload) internal pure returns (uint8) {
        if (payload.length < 32) revert MessagesPayloadTooShort(payload.length);
        // The kind is abi-encoded as a uint8 in a full word; a larger word is not a valid kind.
        uint256 word = uint256(bytes32(payload[0:32]));
        // Larger words were mapped to 255 just before.
        // forge-lint: disable-next-line(unsafe-typecast)
        return word > type(uint8).max ? type(uint8).max : uint8(word);
    }

    /// @notice abi.encode(TASK_POSTED, taskId, startTime, roundPeriod, commitWindow, revealWindow,
    ///         rounds, maxWeight).
    function encodeTaskPosted(uint256 taskId, Schedule memory s)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(
            TASK_POSTED,
            taskId,
            s.startTime,
            s.roundPeriod,
            s.commitWindow,
            s.revealWindow,
            s.rounds,
            s.maxWeight
        );
    }

    /// @notice Decodes a TASK_POSTED payload (see {encodeTaskPosted}).
    function decodeTaskPosted(bytes calldata payload)
        internal
        pure
        returns (uint256 taskId, Schedule memory s)
    {
        (
            ,
            taskId,
            s.startTime,
            s.roundPeriod,
            s.commitWindow,
            s.revealWindow,
            s.rounds,
            s.maxWeight
        ) = abi.decode(payload, (uint8, uint256, uint64, uint32, uint32, uint32, uint16, uint64));
    }

    /// @notice abi.encode(TASK_CANCELLED, taskId).
    function encodeTaskCancelled(uint256 taskId) internal pure returns (bytes memory) {
        return abi.encode(TASK_CANCELLED, taskId);
    }

    /// @notice Decodes a TASK_CANCELLED payload.
    function decodeTaskCancelled(bytes calldata payload) internal pure returns (uint256 taskId) {
        (, taskId) = abi.decode(payload, (uint8, uint256));
    }

    /// @notice abi.encode(WORKER_SLASHED, worker, amount, taskId, round, reason).
    function encodeWorkerSlashed(
        address worker,
        uint256 amount,
        uint256 taskId,
        uint16 round,
        bytes32 reason
    ) internal pure returns (bytes memory) {
        return abi.encode(WORKER_SLASHED, worker, amount, taskId, round, reason);
    }

    /// @notice Decodes a WORKER_SLASHED payload.
    function decodeWorkerSlashed(bytes calldata payload)
        internal
        pure
        returns (address worker, uint256 amount, uint256 taskId, uint16 round, bytes32 reason)
    {
        (
            , worker, amount, taskId, round, reason
        ) = abi.decode(payload, (uint8, address, uint256, uint256, uint16, bytes32));
    }

    /// @notice abi.encode(ROUND_FINALIZED, taskId, round, contributionsRoot, chainWeight,
    ///         chainShare).
    function encodeRoundFinalized(
        uint256 taskId,
        uint16 round,
        bytes32 contributionsRoot,
        uint64 chainWeight,
        uint256 chainShare
    ) internal pure returns (bytes memory) {
        return abi.encode(
            ROUND_FINALIZED, taskId, round, contributionsRoot, chainWeight, chainShare
        );
    }

    /// @notice Decodes a ROUND_FINALIZED payload.
    function decodeRoundFinalized(bytes calldata payload)
        internal
        pure
        returns (
            uint256 taskId,
            uint16 round,
            bytes32 contributionsRoot,
            uint64 chainWeight,
            uint256 chainShare
        )
    {
        (, taskId, round, contributionsRoot, chainWeight, chainShare) =
            abi.decode(payload, (uint8, uint256, uint16, bytes32, uint64, uint256));
    }

    /// @notice abi.encode(REWARD_RETURNED, recipient, amount).
    function encodeRewardReturned(address recipient, uint256 amount)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(REWARD_RETURNED, recipient, amount);
    }

    /// @notice Decodes a REWARD_RETURNED payload.
    function decodeRewardReturned(bytes calldata payload)
        internal
        pure
        returns (address recipient, uint256 amount)
    {
        (, recipient, amount) = abi.decode(payload, (uint8, address, uint256));
    }
}
