// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title IModelRegistry
/// @notice Models and the lineage of their checkpoints, kept on the home chain.
interface IModelRegistry {
    /// @notice One step of a model's lineage: the round of a task that produced `modelRoot` from
    ///         `parentRoot`.
    struct Checkpoint {
        uint256 taskId;
        uint16 round;
        bytes32 modelRoot;
        bytes32 parentRoot;
    }

    /// @notice Registers a model; returns its id (1, 2, ...).
    function registerModel(bytes32 archHash, bytes32 initialRoot, string calldata uri)
        external
        returns (uint64 modelId);

    /// @notice Appends a checkpoint to a model's lineage; only the coordinator.
    function appendCheckpoint(uint64 modelId, uint256 taskId, uint16 round, bytes32 modelRoot)
        external
        returns (bytes32 parentRoot);

    /// @notice Whether `modelId` was registered.
    function modelExists(uint64 modelId) external view returns (bool);

    /// @notice The latest root of the model (its initial root until a checkpoint is appended).
    function headRoot(uint64 modelId) external view returns (bytes32);
}
