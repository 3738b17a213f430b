// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Home-chain registry of models (architecture hash, initial weights root, URI) and the
///         lineage of checkpoints that finalized rounds append to them.
contract ModelRegistry is IModelRegistry, Ownable {
    /// @notice No model has this id.
    error ModelRegistryUnknownModel(uint64 modelId);
    /// @notice Only the coordinator may append checkpoints.
    error ModelRegistryNotCoordinator(address caller);
    /// @notice A root or the architecture hash was zero.
    error ModelRegistryZeroHash();
    /// @notice The coordinator address was zero.
    error ModelRegistryZeroCoordinator();

    /// @notice A model was registered.
    event ModelRegistered(
        uint64 indexed modelId,
        address indexed owner,
        bytes32 archHash,
        bytes32 initialRoot,
        string uri
    );
    /// @notice A finalized round appended a checkpoint to a model's lineage.
    event CheckpointAppended(
        uint64 indexed modelId,
        uint256 indexed taskId,
        uint16 round,
        bytes32 modelRoot,
        bytes32 parentRoot
    );
    /// @notice The coordinator (the only checkpoint writer) was set.
    event CoordinatorSet(address indexed coordinator);

    struct Model {
        address owner;
        bytes32 archHash;
        bytes32 initialRoot;
        bytes32 headRoot;
        string uri;
    }

    uint64 private _modelCount;
    address private _coordinator;
    mapping(uint64 modelId => Model) private _models;
    mapping(uint64 modelId => Checkpoint[]) private _lineage;

    /// @param initialOwner The account that sets the coordinator.
    constructor(address initialOwner) Ownable(initialOwner) {}

    /// @notice Sets the coordinator, the only account allowed to append checkpoints; only the owner.
    /// @param coordinator_ The TaskCoordinator on this chain.
    function setCoordinator(address coordinator_) external onlyOwner {
        if (coordinator_ == address(0)) revert ModelRegistryZeroCoordinator();
        _coordinator = coordinator_;
        emit CoordinatorSet(coordinator_);
    }

    /// @notice Registers a model owned by the caller.
    /// @param archHash Hash of the model's architecture description.
    /// @param initialRoot Merkle root (MerkleSha256) of the initial weights.
    /// @param uri Where the architecture and initial weights can be fetched.
    /// @return modelId The new model's id, counting from 1.
    function registerModel(bytes32 archHash, bytes32 initialRoot, string calldata uri)
        external
        returns (uint64 modelId)
    {
        if (archHash == bytes32(0) || initialRoot == bytes32(0)) {
            revert ModelRegistryZeroHash();
        }
        modelId = ++_modelCount;
        _models[modelId] = Model({
            owner: msg.sender,
            archHash: archHash,
            initialRoot: initialRoot,
            headRoot: initialRoot,
            uri: uri
        });
        emit ModelRegistered(modelId, msg.sender, archHash, initialRoot, uri);
    }

    /// @notice Appends a checkpoint whose parent is the model's current head; only the coordinator.
    /// @param modelId The model.
    /// @param taskId The task whose round produced the checkpoint.
    /// @param round The round.
    /// @param modelRoot The new weights root; becomes the head.
    /// @return parentRoot The head before this checkpoint.
    function appendCheckpoint(uint64 modelId, uint256 taskId, uint16 round, bytes32 modelRoot)
        external
        returns (bytes32 parentRoot)
    {
        if (msg.sender != _coordinator) revert ModelRegistryNotCoordinator(msg.sender);
        Model storage m = _models[modelId];
        if (m.owner == address(0)) revert ModelRegistryUnknownModel(modelId);
        if (modelRoot == bytes32(0)) revert ModelRegistryZeroHash();
        parentRoot = m.headRoot;
        m.headRoot = modelRoot;
        _lineage[modelId].push(
            Checkpoint({taskId: taskId, round: round, modelRoot: modelRoot, parentRoot: parentRoot})
        );
        emit CheckpointAppended(modelId, taskId, round, modelRoot, parentRoot);
    }

    /// @notice Whether `modelId` was registered.
    function modelExists(uint64 modelId) external view returns (bool) {
        return _models[modelId].owner != address(0);
    }

    /// @notice The model's current head root.
    function headRoot(uint64 modelId) external view returns (bytes32) {
        return _models[modelId].headRoot;
    }

    /// @notice The model's registration record.
    /// @return owner Who registered it (zero if unknown).
    /// @return archHash The architecture hash.
    /// @return initialRoot The initial weights root.
    /// @return uri The URI.
    function model(uint64 modelId)
        external
        view
        returns (address owner, bytes32 archHash, bytes32 initialRoot, string memory uri)
    {
        Model storage m = _models[modelId];
        return (m.owner, m.archHash, m.initialRoot, m.uri);
    }

    /// @notice How many checkpoints the model's lineage holds.
    function checkpointCount(uint64 modelId) external view returns (uint256) {
        return _lineage[modelId].length;
    }

    /// @notice The `index`-th checkpoint of the model's lineage (0 = oldest).
    function checkpoint(uint64 modelId, uint256 index) external view returns (Checkpoint memory) {
        return _lineage[modelId][index];
    }

    /// @notice How many models were registered (the highest id).
    function modelCount() external view returns (uint64) {
        return _modelCount;
    }

    /// @notice The coordinator allowed to append checkpoints.
    function coordinator() external view returns (address) {
        return _coordinator;
    }
}
