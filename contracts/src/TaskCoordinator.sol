// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// Round windows and unbonding delays are unix deadlines checked against block.timestamp on
// purpose (DESIGN decision 4: blocks are the clock); windows are minutes, far above the few
// seconds a proposer can skew a timestamp.
// forge-lint: disable-start(block-timestamp)

import {
    AxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/executable/AxelarExecutable.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IModelRegistry} from "./interfaces/IModelRegistry.sol";
import {ITaskCoordinator} from "./interfaces/ITaskCoordinator.sol";
import {MerkleSha256} from "./libraries/MerkleSha256.sol";
import {Messages} from "./libraries/Messages.sol";

/// @title TaskCoordinator
/// @notice Home chain. Escrows bounties, schedules rounds, takes one commitment per round from a
///         bonded aggregator (model root, contributions root, weight per chain: constant gas
///         whatever the number of workers), finalizes rounds after the challenge window, pays home
///         workers who claim with a Merkle proof, and sends each participant chain its share
///         (locked here, minted there by the chain's RewardVault).
/// @dev Escrow is conserved: every token deposited is paid to a home worker, refunded to the
///      client, released to a returner, or still held (unallocated, a round's home pool, or
///      locked for a participant chain).
contract TaskCoordinator is ITaskCoordinator, AxelarExecutable, Ownable {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ errors

    /// @notice No task has this id.
    error TaskCoordinatorUnknownTask(uint256 taskId);
    /// @notice The task is not active (cancelled or completed).
    error TaskCoordinatorTaskNotActive(uint256 taskId);
    /// @notice The round is beyond the task's rounds.
    error TaskCoordinatorRoundOutOfRange(uint256 taskId, uint16 round);
    /// @notice The call does not fit the round's phase.
    error TaskCoordinatorWrongPhase(uint256 taskId, uint16 round, Phase phase);
    /// @notice Only the task's client may do this.
    error TaskCoordinatorNotClient(address caller);
    /// @notice The caller's aggregator bond is missing, too small or unbonding.
    error TaskCoordinatorNotBonded(address caller);
    /// @notice No bond sent, or the bond is below the minimum.
    error TaskCoordinatorBondTooLow(uint256 bond, uint256 minBond);
    /// @notice The aggregator is unbonding.
    error TaskCoordinatorUnbonding(address aggregator);
    /// @notice The aggregator did not request unbonding.
    error TaskCoordinatorNotUnbonding(address aggregator);
    /// @notice The unbonding delay has not passed.
    error TaskCoordinatorStillLocked(uint256 unlockAt);
    /// @notice Sending native currency failed.
    error TaskCoordinatorTransferFailed(address to, uint256 amount);
    /// @notice The bounty is zero, below the number of rounds, or does not fit 128 bits.
    error TaskCoordinatorBadBounty(uint256 bounty);
    /// @notice The client's token balance is below the bounty.
    error TaskCoordinatorUnderfunded(uint256 balance, uint256 bounty);
    /// @notice The client's allowance to the coordinator is below the bounty.
    error TaskCoordinatorInsufficientAllowance(uint256 allowance, uint256 bounty);
    /// @notice The model is not registered.
    error TaskCoordinatorUnknownModel(uint64 modelId);
    /// @notice rounds, contributor bounds, maxWeight or clipBound out of range.
    error TaskCoordinatorBadSpec();
    /// @notice The windows do not fit (zero windows, a period shorter than commit + reveal, or a
    ///         start in the past).
    error TaskCoordinatorBadSchedule();
    /// @notice The aggregation rule's parameter does not fit the rule.
    error TaskCoordinatorBadRule(AggregationRule rule, uint16 ruleParam);
    /// @notice 127 * 2^(expMax - expMin) * maxWeight * maxContributors >= 2^63: the int64
    ///         accumulator could overflow (DESIGN decision 1).
    error TaskCoordinatorNoHeadroom(
        int8 expMin, int8 expMax, uint64 maxWeight, uint32 maxContributors
    );
    /// @notice Empty, too long or repeated chain list.
    error TaskCoordinatorBadChains();
    /// @notice The chain is not configured.
    error TaskCoordinatorUnknownChain(uint64 chainId);
    /// @notice The chain configuration is incomplete.
    error TaskCoordinatorBadChainConfig();
    /// @notice Only the configured TaskIntake may post a task for another client.
    error TaskCoordinatorNotTaskIntake(address caller);
    /// @notice A zero root.
    error TaskCoordinatorZeroRoot();
    /// @notice Fewer contributors than the task's minimum.
    error TaskCoordinatorTooFewContributors(uint32 contributors, uint32 minContributors);
    /// @notice More contributors than the task's maximum.
    error TaskCoordinatorTooManyContributors(uint32 contributors, uint32 maxContributors);
    /// @notice The chain weights do not match the task's chains or do not sum to totalWeight, or
    ///         totalWeight is zero or above maxWeight * maxContributors.
    error TaskCoordinatorBadWeights();
    /// @notice The proof does not lead from the contribution leaf to the round's root.
    error TaskCoordinatorInvalidProof();
    /// @notice This worker was already paid for this round.
    error TaskCoordinatorAlreadyClaimed(uint256 taskId, uint16 round, address worker);
    /// @notice The claims of a round would pay more than the home share (a malformed tree).
    error TaskCoordinatorShareExceeded(uint256 taskId, uint16 round);
    /// @notice The message does not come from a configured vault.
    error TaskCoordinatorUntrustedSource(string sourceChain, string sourceAddress);
    /// @notice The message kind is not one the coordinator handles.
    error TaskCoordinatorUnknownMessage(uint8 kind);
    /// @notice More returned than is locked for the chain.
    error TaskCoordinatorReturnExceedsLocked(uint64 chainId, uint256 amount, uint256 locked);

    // ------------------------------------------------------------------ events

    /// @notice A chain was configured (gateway name, hub, vault).
    event ChainConfigured(uint64 indexed chainId, string name, address hub, address vault);
    /// @notice The TaskIntake (EIP-712 requests and permits, postTaskFor) was set.
    event TaskIntakeSet(address indexed intake);
    /// @notice An aggregator bonded (or added to its bond).
    event AggregatorBonded(address indexed aggregator, uint256 amount, uint256 bond);
    /// @notice An aggregator started unbonding.
    event AggregatorUnbondRequested(address indexed aggregator, uint256 unlockAt);
    /// @notice An aggregator withdrew its bond.
    event AggregatorBondWithdrawn(address indexed aggregator, uint256 amount);
    /// @notice A task was posted and its bounty escrowed.
    event TaskPosted(uint256 indexed taskId, address indexed client, uint256 bounty, TaskSpec spec);
    /// @notice A task was cancelled; `refund` (the uncommitted rounds' rewards) went to the client.
    event TaskCancelled(uint256 indexed taskId, uint256 refund);
    /// @notice An aggregator committed a round.
    event RoundCommitted(
        uint256 indexed taskId,
        uint16 indexed round,
        address indexed aggregator,
        bytes32 modelRoot,
        bytes32 contributionsRoot,
        uint64 totalWeight,
        uint32 contributors,
        uint64[] chainWeights
    );
    /// @notice A second, different commitment for a committed round: an alarm; nothing changed.
    event RoundCommitmentConflicted(
        uint256 indexed taskId,
        uint16 indexed round,
        address indexed aggregator,
        bytes32 modelRoot,
        bytes32 contributionsRoot
    );
    /// @notice A round was finalized; `homeShare` is claimable here, `dust` (rounding of the split
    ///         by chain) went back to the client.
    event RoundFinalized(
        uint256 indexed taskId, uint16 indexed round, uint256 homeShare, uint256 dust
    );
    /// @notice A participant chain's share of a round was locked here and sent to its vault.
    event ChainShareSent(
        uint256 indexed taskId,
        uint16 indexed round,
        uint64 indexed chainId,
        uint64 chainWeight,
        uint256 chainShare
    );
    /// @notice A round failed (no commitment in time, or rejected); its reward went to the client.
    event RoundFailed(uint256 indexed taskId, uint16 indexed round, uint256 refund);
    /// @notice A home worker's reward was paid.
    event RewardClaimed(
        uint256 indexed taskId, uint16 indexed round, address indexed worker, uint256 amount
    );
    /// @notice Wrapped reward burned on a participant chain was released from escrow.
    event RewardReleased(uint64 indexed chainId, address indexed recipient, uint256 amount);
    /// @notice A slash was sent to a chain's hub.
    event SlashSent(
        uint64 indexed chainId,
        address indexed worker,
        uint256 amount,
        uint256 taskId,
        uint16 round,
        bytes32 reason
    );

    // ------------------------------------------------------------------ types and constants

    /// @notice Task status.
    enum Status {
        None,
        Active,
        Cancelled,
        Completed
    }

    /// @notice A round's settlement.
    enum Settlement {
        None,
        Finalized,
        Failed
    }

    /// @notice At most this many chains per task (their weights pack into one slot).
    uint256 public constant MAX_CHAINS = 4;
    /// @notice At most this many rounds per task (cancelTask walks them).
    uint16 public constant MAX_ROUNDS = 1000;

    /// @dev Packed in six slots; commitRound reads the first two and `maxWeight`.
    struct Task {
        address client;
        uint16 rounds;
        uint16 settledRounds;
        Status status;
        uint8 chainCount;
        uint32 minContributors;
        // slot 1
        uint64 startTime;
        uint32 roundPeriod;
        uint32 commitWindow;
        uint32 revealWindow;
        uint32 aggregateWindow;
        uint32 challengeWindow;
        uint32 maxContributors;
        // slot 2: chain ids, 64 bits each, chain i at bits [64 i, 64 i + 64)
        uint256 chainIds;
        // slot 3
        uint128 bounty;
        uint128 unallocated; // not yet finalized, failed or refunded
        // slot 4
        uint64 modelId;
        uint64 maxWeight;
        uint64 clipBound;
        int8 expMin;
        int8 expMax;
        AggregationRule rule;
        uint16 ruleParam;
        // slot 5
        bytes32 datasetRoot;
    }

    /// @dev One round's commitment: three slots written by commitRound, whatever the contributors.
    struct Round {
        bytes32 modelRoot;
        bytes32 contributionsRoot;
        uint224 chainWeights; // weight of chain i at bits [56 i, 56 i + 56)
        uint32 committedAt;
    }

    /// @dev Written when a round settles.
    struct RoundSettlement {
        Settlement settlement;
        uint128 homePool; // home share not yet claimed
    }

    struct ChainConfig {
        string name;
        address hub;
        address vault;
    }

    struct Bond {
        uint128 amount;
        uint64 unlockAt; // 0 while bonded
    }

    IERC20 private immutable _token;
    IModelRegistry private immutable _registry;
    uint64 private immutable _homeChainId;
    uint256 private immutable _minAggregatorBond;
    uint256 private immutable _aggregatorUnbondingDelay;

    uint256 private _taskCount;
    mapping(uint256 taskId => Task) private _tasks;
    mapping(uint256 taskId => mapping(uint16 round => Round)) private _rounds;
    mapping(uint256 taskId => mapping(uint16 round => RoundSettlement)) private _settlements;
    mapping(bytes32 claimKey => bool) private _claimed;
    mapping(uint64 chainId => ChainConfig) private _chains;
    mapping(bytes32 nameHash => uint64 chainId) private _chainByName;
    mapping(uint64 chainId => uint256) private _lockedForChain;
    mapping(address aggregator => Bond) private _bonds;
    address private _taskIntake;

    /// @param gateway_ This chain's gateway (IAxelarGateway).
    /// @param token_ The escrow token (TrainingToken).
    /// @param registry_ The ModelRegistry on this chain.
    /// @param homeChainId_ The chain id that home workers' contribution leaves carry.
    /// @param initialOwner Configures chains and sends slashes.
    /// @param minAggregatorBond_ The least native bond of an aggregator.
    /// @param aggregatorUnbondingDelay_ Seconds between an aggregator's unbond request and withdrawal.
    constructor(
        address gateway_,
        IERC20 token_,
        IModelRegistry registry_,
        uint64 homeChainId_,
        address initialOwner,
        uint256 minAggregatorBond_,
        uint256 aggregatorUnbondingDelay_
    ) AxelarExecutable(gateway_) Ownable(initialOwner) {
        if (address(token_) == address(0) || address(registry_) == address(0) || homeChainId_ == 0)
        {
            revert TaskCoordinatorBadChainConfig();
        }
        _token = token_;
        _registry = registry_;
        _homeChainId = homeChainId_;
        _minAggregatorBond = minAggregatorBond_;
        _aggregatorUnbondingDelay = aggregatorUnbondingDelay_;
    }

    // ------------------------------------------------------------------ configuration

    /// @notice Configures a chain that tasks may use; only the owner. The home chain needs a hub,
    ///         a participant chain a hub and a vault.
    /// @param chainId The chain id (as in contribution leaves).
    /// @param name The chain's gateway name (Axelar-style, e.g. "tributary-1").
    /// @param hub The chain's WorkerHub.
    /// @param vault The chain's RewardVault (zero on the home chain).
    function setChain(uint64 chainId, string calldata name, address hub, address vault)
        external
        onlyOwner
    {
        if (chainId == 0 || bytes(name).length == 0 || hub == address(0)) {
            revert TaskCoordinatorBadChainConfig();
        }
        if ((chainId == _homeChainId) != (vault == address(0))) {
            revert TaskCoordinatorBadChainConfig();
        }
        bytes32 nameHash = keccak256(bytes(name));
        uint64 known = _chainByName[nameHash];
        if (known != 0 && known != chainId) revert TaskCoordinatorBadChainConfig();
        ChainConfig storage old = _chains[chainId];
        if (bytes(old.name).length != 0) delete _chainByName[keccak256(bytes(old.name))];
        _chains[chainId] = ChainConfig({name: name, hub: hub, vault: vault});
        _chainByName[nameHash] = chainId;
        emit ChainConfigured(chainId, name, hub, vault);
    }

    /// @notice Sets the TaskIntake, the only caller of {postTaskOnBehalf}; only the owner. Zero
    ///         turns signed requests off.
    /// @param intake The TaskIntake (its coordinator must be this contract).
    function setTaskIntake(address intake) external onlyOwner {
        _taskIntake = intake;
        emit TaskIntakeSet(intake);
    }

    /// @notice Bonds (or adds to) the caller's aggregator bond with the native currency sent.
    function bondAggregator() external payable {
        Bond storage b = _bonds[msg.sender];
        if (b.unlockAt != 0) revert TaskCoordinatorUnbonding(msg.sender);
        uint256 bond = b.amount + msg.value;
        if (msg.value == 0 || bond < _minAggregatorBond) {
            revert TaskCoordinatorBondTooLow(bond, _minAggregatorBond);
        }
        b.amount = SafeCast.toUint128(bond);
        emit AggregatorBonded(msg.sender, msg.value, bond);
    }

    /// @notice Starts unbonding the caller's aggregator bond; it can no longer commit rounds.
    function requestAggregatorUnbond() external {
        Bond storage b = _bonds[msg.sender];
        if (b.amount == 0) revert TaskCoordinatorNotBonded(msg.sender);
        if (b.unlockAt != 0) revert TaskCoordinatorUnbonding(msg.sender);
        uint256 unlockAt = block.timestamp + _aggregatorUnbondingDelay;
        b.unlockAt = SafeCast.toUint64(unlockAt);
        emit AggregatorUnbondRequested(msg.sender, unlockAt);
    }

    /// @notice Sends the caller its aggregator bond once the unbonding delay has passed.
    function withdrawAggregatorBond() external {
        Bond storage b = _bonds[msg.sender];
        if (b.unlockAt == 0) revert TaskCoordinatorNotUnbonding(msg.sender);
        if (block.timestamp < b.unlockAt) revert TaskCoordinatorStillLocked(b.unlockAt);
        uint256 amount = b.amount;
        delete _bonds[msg.sender];
        emit AggregatorBondWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TaskCoordinatorTransferFailed(msg.sender, amount);
    }

    // ------------------------------------------------------------------ tasks

    /// @notice Posts a task and escrows its bounty from the caller (who must have approved it).
    /// @param spec The task spec.
    /// @param bounty The bounty in TrainingToken, split evenly across rounds (the last round takes
    ///        the remainder).
    /// @return taskId The new task's id, counting from 1.
    function postTask(TaskSpec calldata spec, uint256 bounty) external returns (uint256 taskId) {
        return _postTask(msg.sender, spec, bounty);
    }

    /// @notice Posts a task for `client`, escrowing the bounty from `client` (who must have
    ///         approved it); only the TaskIntake, after it checked the client's EIP-712 request and
    ///         applied its permit. The client of the task is `client`, not the relayer.
    /// @param client The client who signed the request.
    /// @param spec The task spec.
    /// @param bounty The bounty in TrainingToken.
    /// @return taskId The new task's id.
    function postTaskOnBehalf(address client, TaskSpec calldata spec, uint256 bounty)
        external
        returns (uint256 taskId)
    {
        if (msg.sender != _taskIntake || msg.sender == address(0)) {
            revert TaskCoordinatorNotTaskIntake(msg.sender);
        }
        return _postTask(client, spec, bounty);
    }

    /// @notice Cancels a task; only its client. Every round without a commitment is refunded now;
    ///         committed rounds still finalize (or fail) as usual.
    /// @param taskId The task.
    function cancelTask(uint256 taskId) external {
        Task storage t = _activeTask(taskId);
        if (msg.sender != t.client) revert TaskCoordinatorNotClient(msg.sender);
        uint16 rounds = t.rounds;
        uint256 bounty = t.bounty;
        uint256 refund;
        for (uint16 r = 0; r < rounds; ++r) {
            if (
                _rounds[taskId][r].committedAt == 0
                    && _settlements[taskId][r].settlement == Settlement.None
            ) {
                refund += _roundReward(bounty, rounds, r);
            }
        }
        t.status = Status.Cancelled;
        // refund <= bounty, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        t.unallocated -= uint128(refund);
        emit TaskCancelled(taskId, refund);
        _token.safeTransfer(t.client, refund);
        _forEachChain(t, Messages.encodeTaskCancelled(taskId));
    }

    // ------------------------------------------------------------------ rounds

    /// @notice Commits a round: the new model root, the contributions root (Merkle over
    ///         (chainId, worker, updateRoot, weight)), the total weight, the number of contributors
    ///         and the weight per chain (in the task's chain order). Only a bonded aggregator, in the
    ///         aggregation window. Gas does not depend on the number of contributors. Repeating a
    ///         committed round with the same roots is a no-op success; a different one emits
    ///         {RoundCommitmentConflicted} and changes nothing.
    function commitRound(
        uint256 taskId,
        uint16 round,
        bytes32 modelRoot,
        bytes32 contributionsRoot,
        uint64 totalWeight,
        uint32 contributors,
        uint64[] calldata chainWeights
    ) external {
        Bond storage b = _bonds[msg.sender];
        if (b.amount < _minAggregatorBond || b.amount == 0 || b.unlockAt != 0) {
            revert TaskCoordinatorNotBonded(msg.sender);
        }
        Task storage t = _task(taskId, round);
        Round storage r = _rounds[taskId][round];
        if (r.committedAt != 0) {
            if (r.modelRoot != modelRoot || r.contributionsRoot != contributionsRoot) {
                emit RoundCommitmentConflicted(
                    taskId, round, msg.sender, modelRoot, contributionsRoot
                );
            }
            return;
        }
        if (t.status != Status.Active) revert TaskCoordinatorTaskNotActive(taskId);
        {
            (, uint256 revealDeadline, uint256 aggregateDeadline) = _deadlines(t, round);
            if (block.timestamp < revealDeadline || block.timestamp >= aggregateDeadline) {
                revert TaskCoordinatorWrongPhase(taskId, round, roundPhase(taskId, round));
            }
        }
        if (modelRoot == bytes32(0) || contributionsRoot == bytes32(0)) {
            revert TaskCoordinatorZeroRoot();
        }
        if (contributors < t.minContributors) {
            revert TaskCoordinatorTooFewContributors(contributors, t.minContributors);
        }
        if (contributors > t.maxContributors) {
            revert TaskCoordinatorTooManyContributors(contributors, t.maxContributors);
        }
        uint256 count = chainWeights.length;
        if (count != t.chainCount || totalWeight == 0) revert TaskCoordinatorBadWeights();
        if (uint256(totalWeight) > uint256(t.maxWeight) * t.maxContributors) {
            revert TaskCoordinatorBadWeights();
        }
        uint256 sum;
        uint256 packed;
        for (uint256 i = 0; i < count; ++i) {
            uint256 w = chainWeights[i];
            sum += w;
            packed |= w << (56 * i);
        }
        // sum == totalWeight <= maxWeight * maxContributors < 2^56 (the headroom check at postTask),
        // so every weight fits its 56 bits and no bits of one chain spill into the next.
        if (sum != totalWeight) revert TaskCoordinatorBadWeights();
        r.modelRoot = modelRoot;
        r.contributionsRoot = contributionsRoot;
        // At most 4 weights of 56 bits each: packed < 2^224.
        // forge-lint: disable-next-line(unsafe-typecast)
        r.chainWeights = uint224(packed);
        r.committedAt = uint32(block.timestamp);
        emit RoundCommitted(
            taskId,
            round,
            msg.sender,
            modelRoot,
            contributionsRoot,
            totalWeight,
            contributors,
            chainWeights
        );
    }

    /// @notice Finalizes a committed round once its challenge window has passed: appends the
    ///         checkpoint to the model's lineage, keeps the home share for claims here, locks every
    ///         participant chain's share and sends it to that chain's vault (one message per chain),
    ///         and refunds the rounding dust of the split to the client. Anyone may call.
    /// @param taskId The task.
    /// @param round The round.
    function finalizeRound(uint256 taskId, uint16 round) external {
        Task storage t = _task(taskId, round);
        Round storage r = _rounds[taskId][round];
        RoundSettlement storage s = _settlements[taskId][round];
        if (
            r.committedAt == 0 || s.settlement != Settlement.None
                || block.timestamp < uint256(r.committedAt) + t.challengeWindow
        ) {
            revert TaskCoordinatorWrongPhase(taskId, round, roundPhase(taskId, round));
        }
        uint256 reward = _roundReward(t.bounty, t.rounds, round);
        s.settlement = Settlement.Finalized;
        // reward <= bounty, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        t.unallocated -= uint128(reward);
        if (++t.settledRounds == t.rounds && t.status == Status.Active) {
            t.status = Status.Completed;
        }
        (uint256 homeShare, uint256 dust) = _distribute(taskId, round, t, r, reward);
        // homeShare <= reward <= bounty, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        s.homePool = uint128(homeShare);
        emit RoundFinalized(taskId, round, homeShare, dust);
        _registry.appendCheckpoint(t.modelId, taskId, round, r.modelRoot);
        if (dust != 0) _token.safeTransfer(t.client, dust);
    }

    /// @notice Fails a round that got no commitment before its aggregation deadline and refunds
    ///         its reward to the client. Anyone may call.
    /// @param taskId The task.
    /// @param round The round.
    function failRound(uint256 taskId, uint16 round) external {
        Task storage t = _task(taskId, round);
        if (t.status != Status.Active) revert TaskCoordinatorTaskNotActive(taskId);
        (,, uint256 aggregateDeadline) = _deadlines(t, round);
        if (
            _rounds[taskId][round].committedAt != 0
                || _settlements[taskId][round].settlement != Settlement.None
                || block.timestamp < aggregateDeadline
        ) {
            revert TaskCoordinatorWrongPhase(taskId, round, roundPhase(taskId, round));
        }
        _fail(t, taskId, round);
    }

    /// @notice Rejects a committed round during its challenge window (governance's answer to a
    ///         challenge) and refunds its reward to the client; only the owner.
    /// @param taskId The task.
    /// @param round The round.
    function rejectRound(uint256 taskId, uint16 round) external onlyOwner {
        Task storage t = _task(taskId, round);
        Round storage r = _rounds[taskId][round];
        if (
            r.committedAt == 0 || _settlements[taskId][round].settlement != Settlement.None
                || block.timestamp >= uint256(r.committedAt) + t.challengeWindow
        ) {
            revert TaskCoordinatorWrongPhase(taskId, round, roundPhase(taskId, round));
        }
        _fail(t, taskId, round);
    }

    /// @notice Pays a home worker its share of a finalized round: reward * weight / totalWeight.
    ///         Anyone may submit; the tokens go to `worker`.
    /// @param taskId The task.
    /// @param round The round.
    /// @param worker The worker (leaf field).
    /// @param updateRoot The worker's revealed update root (leaf field).
    /// @param weight The worker's weight (leaf field).
    /// @param index The leaf's position in the contributions tree.
    /// @param proof The siblings from the leaf up (MerkleSha256).
    function claim(
        uint256 taskId,
        uint16 round,
        address worker,
        bytes32 updateRoot,
        uint64 weight,
        uint256 index,
        bytes32[] calldata proof
    ) external {
        RoundSettlement storage s = _settlements[taskId][round];
        if (s.settlement != Settlement.Finalized) {
            revert TaskCoordinatorWrongPhase(taskId, round, roundPhase(taskId, round));
        }
        Round storage r = _rounds[taskId][round];
        bytes32 leaf = MerkleSha256.contributionLeaf(_homeChainId, worker, updateRoot, weight);
        if (!MerkleSha256.verify(proof, r.contributionsRoot, leaf, index)) {
            revert TaskCoordinatorInvalidProof();
        }
        bytes32 key = keccak256(abi.encode(taskId, round, worker));
        if (_claimed[key]) revert TaskCoordinatorAlreadyClaimed(taskId, round, worker);
        _claimed[key] = true;
        uint256 amount = _homeAmount(taskId, round, r.chainWeights, weight);
        // Sum of floor(reward * w_i / total) over the home leaves <= floor(reward * homeWeight /
        // total) = homePool when the home leaves sum to homeWeight; this guards a malformed tree.
        uint256 pool = s.homePool;
        if (amount > pool) revert TaskCoordinatorShareExceeded(taskId, round);
        // amount <= pool, checked just above.
        unchecked {
            // pool - amount <= pool, a uint128.
            // forge-lint: disable-next-line(unsafe-typecast)
            s.homePool = uint128(pool - amount);
        }
        emit RewardClaimed(taskId, round, worker, amount);
        _token.safeTransfer(worker, amount);
    }

    /// @notice Sends a slash of `worker` on chain `chainId` to that chain's hub; only the owner.
    /// @param chainId The worker's chain.
    /// @param worker The worker.
    /// @param amount The stake to slash (capped at the stake by the hub).
    /// @param taskId The task concerned.
    /// @param round The round concerned.
    /// @param reason A machine-readable reason.
    function slashWorker(
        uint64 chainId,
        address worker,
        uint256 amount,
        uint256 taskId,
        uint16 round,
        bytes32 reason
    ) external onlyOwner {
        ChainConfig storage c = _chains[chainId];
        if (c.hub == address(0)) revert TaskCoordinatorUnknownChain(chainId);
        emit SlashSent(chainId, worker, amount, taskId, round, reason);
        gateway()
            .callContract(
                c.name,
                Strings.toHexString(c.hub),
                Messages.encodeWorkerSlashed(worker, amount, taskId, round, reason)
            );
    }

    // ------------------------------------------------------------------ gateway messages

    /// @dev Accepts REWARD_RETURNED from a configured vault: releases the amount locked for that
    ///      vault's chain to the recipient.
    function _execute(
        bytes32, /* commandId */
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) internal override {
        uint64 chainId = _chainByName[keccak256(bytes(sourceChain))];
        (bool parsed, address sender) = Strings.tryParseAddress(sourceAddress);
        if (chainId == 0 || !parsed || sender == address(0) || sender != _chains[chainId].vault) {
            revert TaskCoordinatorUntrustedSource(sourceChain, sourceAddress);
        }
        uint8 kind = Messages.kind(payload);
        if (kind != Messages.REWARD_RETURNED) revert TaskCoordinatorUnknownMessage(kind);
        (address recipient, uint256 amount) = Messages.decodeRewardReturned(payload);
        uint256 locked = _lockedForChain[chainId];
        if (amount > locked) revert TaskCoordinatorReturnExceedsLocked(chainId, amount, locked);
        // amount <= locked, checked just above.
        unchecked {
            _lockedForChain[chainId] = locked - amount;
        }
        emit RewardReleased(chainId, recipient, amount);
        _token.safeTransfer(recipient, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The phase of a round now. A round past its aggregation deadline without a
    ///         commitment reads Failed (failRound refunds it); a cancelled task's uncommitted
    ///         rounds read Failed.
    function roundPhase(uint256 taskId, uint16 round) public view returns (Phase) {
        Task storage t = _task(taskId, round);
        Settlement s = _settlements[taskId][round].settlement;
        if (s == Settlement.Finalized) return Phase.Finalized;
        if (s == Settlement.Failed) return Phase.Failed;
        if (_rounds[taskId][round].committedAt != 0) return Phase.Challenging;
        if (t.status != Status.Active) return Phase.Failed;
        (uint256 commitDeadline, uint256 revealDeadline, uint256 aggregateDeadline) =
            _deadlines(t, round);
        uint256 open = commitDeadline - t.commitWindow;
        if (block.timestamp < open) return Phase.Open;
        if (block.timestamp < commitDeadline) return Phase.Committing;
        if (block.timestamp < revealDeadline) return Phase.Revealing;
        if (block.timestamp < aggregateDeadline) return Phase.Aggregating;
        return Phase.Failed;
    }

    /// @notice A task's client, status, bounty, unallocated escrow and settled round count.
    function taskState(uint256 taskId)
        external
        view
        returns (address client, Status status, uint256 bounty, uint256 unallocated, uint16 settled)
    {
        Task storage t = _tasks[taskId];
        return (t.client, t.status, t.bounty, t.unallocated, t.settledRounds);
    }

    /// @notice A task's spec as posted.
    function taskSpec(uint256 taskId) external view returns (TaskSpec memory spec) {
        Task storage t = _tasks[taskId];
        if (t.status == Status.None) revert TaskCoordinatorUnknownTask(taskId);
        spec.modelId = t.modelId;
        spec.datasetRoot = t.datasetRoot;
        spec.rounds = t.rounds;
        spec.minContributors = t.minContributors;
        spec.maxContributors = t.maxContributors;
        spec.maxWeight = t.maxWeight;
        spec.startTime = t.startTime;
        spec.roundPeriod = t.roundPeriod;
        spec.commitWindow = t.commitWindow;
        spec.revealWindow = t.revealWindow;
        spec.aggregateWindow = t.aggregateWindow;
        spec.challengeWindow = t.challengeWindow;
        spec.clipBound = t.clipBound;
        spec.expMin = t.expMin;
        spec.expMax = t.expMax;
        spec.rule = t.rule;
        spec.ruleParam = t.ruleParam;
        spec.chainIds = new uint64[](t.chainCount);
        for (uint256 i = 0; i < t.chainCount; ++i) {
            spec.chainIds[i] = uint64(t.chainIds >> (64 * i));
        }
    }

    /// @notice A round's deadlines: commit, reveal, aggregation (unix seconds, exclusive).
    function roundDeadlines(uint256 taskId, uint16 round)
        external
        view
        returns (uint256 commitDeadline, uint256 revealDeadline, uint256 aggregateDeadline)
    {
        return _deadlines(_task(taskId, round), round);
    }

    /// @notice A round's commitment (zero until committed) and home pool left to claim.
    function roundCommitment(uint256 taskId, uint16 round)
        external
        view
        returns (
            bytes32 modelRoot,
            bytes32 contributionsRoot,
            uint256 totalWeight,
            uint256 committedAt,
            uint256 homePool
        )
    {
        Round storage r = _rounds[taskId][round];
        return (
            r.modelRoot,
            r.contributionsRoot,
            _totalWeight(r.chainWeights, _tasks[taskId].chainCount),
            r.committedAt,
            _settlements[taskId][round].homePool
        );
    }

    /// @notice The reward of one round of a task.
    function roundReward(uint256 taskId, uint16 round) external view returns (uint256) {
        Task storage t = _task(taskId, round);
        return _roundReward(t.bounty, t.rounds, round);
    }

    /// @notice Whether `worker` was paid for (taskId, round) on home.
    function isClaimed(uint256 taskId, uint16 round, address worker) external view returns (bool) {
        return _claimed[keccak256(abi.encode(taskId, round, worker))];
    }

    /// @notice Escrow locked here for rewards minted (or mintable) on `chainId`.
    function lockedForChain(uint64 chainId) external view returns (uint256) {
        return _lockedForChain[chainId];
    }

    /// @notice A chain's configuration.
    function chainConfig(uint64 chainId) external view returns (ChainConfig memory) {
        return _chains[chainId];
    }

    /// @notice An aggregator's bond and unbonding time (0 while bonded).
    function bondOf(address aggregator) external view returns (Bond memory) {
        return _bonds[aggregator];
    }

    /// @notice The TaskIntake allowed to post tasks for signing clients (zero until set).
    function taskIntake() external view returns (address) {
        return _taskIntake;
    }

    /// @notice How many tasks were posted (the highest id).
    function taskCount() external view returns (uint256) {
        return _taskCount;
    }

    /// @notice The escrow token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice The model registry.
    function registry() external view returns (IModelRegistry) {
        return _registry;
    }

    /// @notice The home chain id (in home workers' leaves).
    function homeChainId() external view returns (uint64) {
        return _homeChainId;
    }

    /// @notice The least aggregator bond.
    function minAggregatorBond() external view returns (uint256) {
        return _minAggregatorBond;
    }

    /// @notice The aggregator unbonding delay in seconds.
    function aggregatorUnbondingDelay() external view returns (uint256) {
        return _aggregatorUnbondingDelay;
    }

    // ------------------------------------------------------------------ internals

    function _postTask(address client, TaskSpec calldata spec, uint256 bounty)
        private
        returns (uint256 taskId)
    {
        _validate(spec);
        if (bounty < spec.rounds || bounty > type(uint128).max) {
            revert TaskCoordinatorBadBounty(bounty);
        }
        uint256 balance = _token.balanceOf(client);
        if (balance < bounty) revert TaskCoordinatorUnderfunded(balance, bounty);
        uint256 allowance = _token.allowance(client, address(this));
        if (allowance < bounty) revert TaskCoordinatorInsufficientAllowance(allowance, bounty);

        taskId = ++_taskCount;
        Task storage t = _tasks[taskId];
        t.client = client;
        t.rounds = spec.rounds;
        t.status = Status.Active;
        t.chainCount = uint8(spec.chainIds.length);
        t.minContributors = spec.minContributors;
        t.startTime = spec.startTime;
        t.roundPeriod = spec.roundPeriod;
        t.commitWindow = spec.commitWindow;
        t.revealWindow = spec.revealWindow;
        t.aggregateWindow = spec.aggregateWindow;
        t.challengeWindow = spec.challengeWindow;
        t.maxContributors = spec.maxContributors;
        uint256 chainIds;
        for (uint256 i = 0; i < spec.chainIds.length; ++i) {
            chainIds |= uint256(spec.chainIds[i]) << (64 * i);
        }
        t.chainIds = chainIds;
        // bounty <= type(uint128).max was checked above.
        // forge-lint: disable-next-line(unsafe-typecast)
        t.bounty = uint128(bounty);
        // bounty <= type(uint128).max was checked above.
        // forge-lint: disable-next-line(unsafe-typecast)
        t.unallocated = uint128(bounty);
        t.modelId = spec.modelId;
        t.maxWeight = spec.maxWeight;
        t.clipBound = spec.clipBound;
        t.expMin = spec.expMin;
        t.expMax = spec.expMax;
        t.rule = spec.rule;
        t.ruleParam = spec.ruleParam;
        t.datasetRoot = spec.datasetRoot;
        emit TaskPosted(taskId, client, bounty, spec);

        _token.safeTransferFrom(client, address(this), bounty);
        Messages.Schedule memory schedule = Messages.Schedule({
            startTime: spec.startTime,
            roundPeriod: spec.roundPeriod,
            commitWindow: spec.commitWindow,
            revealWindow: spec.revealWindow,
            rounds: spec.rounds,
            maxWeight: spec.maxWeight
        });
        _forEachChain(t, Messages.encodeTaskPosted(taskId, schedule));
    }

    function _validate(TaskSpec calldata spec) private view {
        if (!_registry.modelExists(spec.modelId)) revert TaskCoordinatorUnknownModel(spec.modelId);
        if (
            spec.rounds == 0 || spec.rounds > MAX_ROUNDS || spec.minContributors == 0
                || spec.maxContributors < spec.minContributors || spec.maxWeight == 0
                || spec.clipBound == 0
        ) revert TaskCoordinatorBadSpec();
        if (
            spec.commitWindow == 0 || spec.revealWindow == 0 || spec.aggregateWindow == 0
                || uint256(spec.roundPeriod) < uint256(spec.commitWindow) + spec.revealWindow
                || spec.startTime < block.timestamp
        ) revert TaskCoordinatorBadSchedule();
        _validateRule(spec);
        if (!hasHeadroom(spec.expMin, spec.expMax, spec.maxWeight, spec.maxContributors)) {
            revert TaskCoordinatorNoHeadroom(
                spec.expMin, spec.expMax, spec.maxWeight, spec.maxContributors
            );
        }
        uint256 count = spec.chainIds.length;
        if (count == 0 || count > MAX_CHAINS) revert TaskCoordinatorBadChains();
        for (uint256 i = 0; i < count; ++i) {
            uint64 chainId = spec.chainIds[i];
            if (_chains[chainId].hub == address(0)) revert TaskCoordinatorUnknownChain(chainId);
            for (uint256 j = 0; j < i; ++j) {
                if (spec.chainIds[j] == chainId) revert TaskCoordinatorBadChains();
            }
        }
    }

    function _validateRule(TaskSpec calldata spec) private pure {
        AggregationRule rule = spec.rule;
        uint16 p = spec.ruleParam;
        bool ok;
        if (rule == AggregationRule.FedAvg || rule == AggregationRule.Median) {
            ok = p == 0;
        } else if (rule == AggregationRule.TrimmedMean) {
            ok = p > 0 && p < 500;
        } else {
            // Multi-Krum needs n > 2f + 2 in every round that can be committed.
            ok = p > 0 && uint256(spec.minContributors) > 2 * uint256(p) + 2;
        }
        if (!ok) revert TaskCoordinatorBadRule(rule, p);
    }

    /// @notice Whether an int64 accumulator has headroom for a task (DESIGN decision 1): with
    ///         |mantissa| <= 127, exponents in [expMin, expMax], weights <= maxWeight and at most
    ///         maxContributors updates, 127 * 2^(expMax - expMin) * maxWeight * maxContributors
    ///         must be below 2^63. Computed exactly in 256-bit integers.
    function hasHeadroom(int8 expMin, int8 expMax, uint64 maxWeight, uint32 maxContributors)
        public
        pure
        returns (bool)
    {
        if (expMax < expMin) return false;
        // expMax >= expMin was checked, so the difference is not negative.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint256 span = uint256(int256(expMax) - int256(expMin));
        if (span >= 63) return false;
        // 127 * 2^62 * 2^64 * 2^32 < 2^165: no overflow in 256 bits.
        return 127 * (uint256(1) << span) * maxWeight * maxContributors < (uint256(1) << 63);
    }

    function _forEachChain(Task storage t, bytes memory payload) private {
        uint256 ids = t.chainIds;
        uint256 count = t.chainCount;
        for (uint256 i = 0; i < count; ++i) {
            // Takes the 64-bit field of chain i.
            // forge-lint: disable-next-line(unsafe-typecast)
            ChainConfig storage c = _chains[uint64(ids >> (64 * i))];
            gateway().callContract(c.name, Strings.toHexString(c.hub), payload);
        }
    }

    /// @dev What one finalized round splits across chains.
    struct Split {
        uint256 taskId;
        uint16 round;
        uint256 reward;
        uint256 totalWeight;
        bytes32 contributionsRoot;
    }

    function _distribute(
        uint256 taskId,
        uint16 round,
        Task storage t,
        Round storage r,
        uint256 reward
    ) private returns (uint256 homeShare, uint256 dust) {
        uint256 weights = r.chainWeights;
        uint256 ids = t.chainIds;
        uint256 count = t.chainCount;
        Split memory split = Split({
            taskId: taskId,
            round: round,
            reward: reward,
            totalWeight: _totalWeight(weights, count),
            contributionsRoot: r.contributionsRoot
        });
        dust = reward;
        for (uint256 i = 0; i < count; ++i) {
            // Takes the 64-bit field of chain i.
            // forge-lint: disable-next-line(unsafe-typecast)
            uint64 chainId = uint64(ids >> (64 * i));
            uint64 weight = uint64((weights >> (56 * i)) & type(uint56).max);
            uint256 share = reward * weight / split.totalWeight;
            dust -= share;
            if (chainId == _homeChainId) homeShare = share;
            else if (weight != 0) _sendShare(split, chainId, weight, share);
        }
    }

    /// @dev Locks a participant chain's share here and sends it to the chain's vault.
    function _sendShare(Split memory split, uint64 chainId, uint64 weight, uint256 share) private {
        _lockedForChain[chainId] += share;
        emit ChainShareSent(split.taskId, split.round, chainId, weight, share);
        ChainConfig storage c = _chains[chainId];
        gateway()
            .callContract(
                c.name,
                Strings.toHexString(c.vault),
                Messages.encodeRoundFinalized(
                    split.taskId, split.round, split.contributionsRoot, weight, share
                )
            );
    }

    /// @dev reward * weight / totalWeight for a home leaf of a finalized round.
    function _homeAmount(uint256 taskId, uint16 round, uint224 chainWeights, uint64 weight)
        private
        view
        returns (uint256)
    {
        Task storage t = _tasks[taskId];
        return
            _roundReward(t.bounty, t.rounds, round) * weight
                / _totalWeight(chainWeights, t.chainCount);
    }

    function _fail(Task storage t, uint256 taskId, uint16 round) private {
        uint256 refund = _roundReward(t.bounty, t.rounds, round);
        _settlements[taskId][round].settlement = Settlement.Failed;
        // refund <= bounty, a uint128.
        // forge-lint: disable-next-line(unsafe-typecast)
        t.unallocated -= uint128(refund);
        if (++t.settledRounds == t.rounds && t.status == Status.Active) {
            t.status = Status.Completed;
        }
        emit RoundFailed(taskId, round, refund);
        _token.safeTransfer(t.client, refund);
    }

    function _task(uint256 taskId, uint16 round) private view returns (Task storage t) {
        t = _tasks[taskId];
        if (t.status == Status.None) revert TaskCoordinatorUnknownTask(taskId);
        if (round >= t.rounds) revert TaskCoordinatorRoundOutOfRange(taskId, round);
    }

    function _activeTask(uint256 taskId) private view returns (Task storage t) {
        t = _tasks[taskId];
        if (t.status == Status.None) revert TaskCoordinatorUnknownTask(taskId);
        if (t.status != Status.Active) revert TaskCoordinatorTaskNotActive(taskId);
    }

    function _deadlines(Task storage t, uint16 round)
        private
        view
        returns (uint256 commitDeadline, uint256 revealDeadline, uint256 aggregateDeadline)
    {
        commitDeadline = uint256(t.startTime) + uint256(round) * t.roundPeriod + t.commitWindow;
        revealDeadline = commitDeadline + t.revealWindow;
        aggregateDeadline = revealDeadline + t.aggregateWindow;
    }

    function _roundReward(uint256 bounty, uint16 rounds, uint16 round)
        private
        pure
        returns (uint256)
    {
        uint256 base = bounty / rounds;
        return round == rounds - 1 ? bounty - base * (rounds - 1) : base;
    }

    function _totalWeight(uint256 weights, uint256 count) private pure returns (uint256 total) {
        for (uint256 i = 0; i < count; ++i) {
            total += (weights >> (56 * i)) & type(uint56).max;
        }
    }
}
// forge-lint: disable-end(block-timestamp)
