// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// Round windows and unbonding delays are unix deadlines checked against block.timestamp on
// purpose (DESIGN decision 4: blocks are the clock); windows are minutes, far above the few
// seconds a proposer can skew a timestamp.
// forge-lint: disable-start(block-timestamp)

import {
    AxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/executable/AxelarExecutable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Messages} from "./libraries/Messages.sol";

/// @title WorkerHub
/// @notice Runs on every chain. Workers stake native currency and register, then commit and
///         reveal their update roots per round, checked against the round windows that the home
///         chain's TaskCoordinator sent through the gateway. Stakes are slashed only by a verified
///         gateway message from the coordinator.
/// @dev A message whose execution reverts leaves its gateway approval unconsumed (the revert undoes
///      `validateContractCall`), so the relayer can retry `execute` with the same arguments.
contract WorkerHub is AxelarExecutable {
    /// @notice The worker has no stake.
    error WorkerHubNotRegistered(address worker);
    /// @notice The stake sent is zero, or the (resulting) stake is below the minimum (e.g. after a
    ///         slash).
    error WorkerHubStakeTooLow(uint256 stake, uint256 minStake);
    /// @notice The worker is unbonding and may neither commit nor add stake.
    error WorkerHubUnbonding(address worker);
    /// @notice The worker has not requested unbonding.
    error WorkerHubNotUnbonding(address worker);
    /// @notice The unbonding delay has not passed.
    error WorkerHubStillLocked(uint256 unlockAt);
    /// @notice Sending native currency failed.
    error WorkerHubTransferFailed(address to, uint256 amount);
    /// @notice The hub has not heard of this task, or it was cancelled.
    error WorkerHubUnknownTask(uint256 taskId);
    /// @notice The task was cancelled.
    error WorkerHubTaskCancelled(uint256 taskId);
    /// @notice The round is beyond the task's rounds.
    error WorkerHubRoundOutOfRange(uint256 taskId, uint16 round);
    /// @notice Outside the commit window [open, commitDeadline).
    error WorkerHubNotCommitWindow(uint256 now_, uint256 open, uint256 commitDeadline);
    /// @notice Outside the reveal window [commitDeadline, revealDeadline).
    error WorkerHubNotRevealWindow(uint256 now_, uint256 commitDeadline, uint256 revealDeadline);
    /// @notice The reveal window of the round is still open.
    error WorkerHubRevealWindowOpen(uint256 revealDeadline);
    /// @notice The worker already committed in this round.
    error WorkerHubAlreadyCommitted(uint256 taskId, uint16 round, address worker);
    /// @notice The worker did not commit in this round.
    error WorkerHubNotCommitted(uint256 taskId, uint16 round, address worker);
    /// @notice The worker already revealed in this round.
    error WorkerHubAlreadyRevealed(uint256 taskId, uint16 round, address worker);
    /// @notice The miss was already recorded, or the worker revealed.
    error WorkerHubNotMissed(uint256 taskId, uint16 round, address worker);
    /// @notice The reveal does not hash to the commitment.
    error WorkerHubRevealMismatch(bytes32 commitment, bytes32 computed);
    /// @notice A zero commitment or update root.
    error WorkerHubZeroHash();
    /// @notice samples is zero or above the task's maxWeight.
    error WorkerHubSamplesOutOfRange(uint64 samples, uint64 maxWeight);
    /// @notice The message does not come from the coordinator on the home chain.
    error WorkerHubUntrustedSource(string sourceChain, string sourceAddress);
    /// @notice The message kind is not one the hub handles.
    error WorkerHubUnknownMessage(uint8 kind);
    /// @notice The task was already announced.
    error WorkerHubTaskExists(uint256 taskId);
    /// @notice A constructor argument was zero.
    error WorkerHubZeroArgument();

    /// @notice A worker registered or added stake.
    event WorkerStaked(address indexed worker, uint256 amount, uint256 stake);
    /// @notice A worker started unbonding; it can withdraw at `unlockAt`.
    event UnbondingRequested(address indexed worker, uint256 unlockAt);
    /// @notice A worker withdrew its whole stake.
    event StakeWithdrawn(address indexed worker, uint256 amount);
    /// @notice The coordinator announced a task.
    event TaskAnnounced(
        uint256 indexed taskId,
        uint64 startTime,
        uint32 roundPeriod,
        uint32 commitWindow,
        uint32 revealWindow,
        uint16 rounds,
        uint64 maxWeight
    );
    /// @notice The coordinator cancelled a task.
    event TaskCancelled(uint256 indexed taskId);
    /// @notice A worker committed to an update.
    event UpdateCommitted(
        uint256 indexed taskId, uint16 indexed round, address indexed worker, bytes32 commitment
    );
    /// @notice A worker revealed its update root; Flink admits its chunks once this is confirmed.
    event UpdateRevealed(
        uint256 indexed taskId,
        uint16 indexed round,
        address indexed worker,
        bytes32 updateRoot,
        uint64 samples,
        bytes32 dataRoot
    );
    /// @notice A worker committed but did not reveal in time.
    event RevealMissed(uint256 indexed taskId, uint16 indexed round, address indexed worker);
    /// @notice A worker's stake was slashed by the coordinator.
    event WorkerSlashed(
        address indexed worker, uint256 amount, uint256 indexed taskId, uint16 round, bytes32 reason
    );

    /// @notice A worker's stake and reputation.
    struct Worker {
        uint128 stake;
        uint64 unlockAt; // 0 while bonded
        uint32 roundsContributed;
        uint32 roundsMissed;
        uint32 slashes;
    }

    /// @notice A task's schedule as announced by the coordinator (one storage slot).
    struct TaskWindows {
        uint64 startTime;
        uint32 roundPeriod;
        uint32 commitWindow;
        uint32 revealWindow;
        uint16 rounds;
        uint64 maxWeight;
        bool cancelled;
    }

    /// @notice One worker's commitment and reveal in one round.
    struct Entry {
        bytes32 commitment;
        bytes32 updateRoot;
        bool missRecorded;
    }

    uint256 private immutable _minStake;
    uint256 private immutable _unbondingDelay;
    address private immutable _treasury;
    address private immutable _coordinator;
    bytes32 private immutable _homeChainHash;
    string private _homeChain;

    uint256 private _totalStaked;
    mapping(address worker => Worker) private _workers;
    mapping(uint256 taskId => TaskWindows) private _tasks;
    mapping(uint256 taskId => mapping(uint16 round => mapping(address worker => Entry))) private
        _entries;

    /// @param gateway_ The chain's gateway (IAxelarGateway).
    /// @param homeChain_ The gateway name of the home chain.
    /// @param coordinator_ The TaskCoordinator on the home chain, the only trusted source.
    /// @param minStake_ The least stake (wei) a worker must hold to commit.
    /// @param unbondingDelay_ Seconds between requesting unbonding and withdrawing.
    /// @param treasury_ Receives slashed stake.
    constructor(
        address gateway_,
        string memory homeChain_,
        address coordinator_,
        uint256 minStake_,
        uint256 unbondingDelay_,
        address treasury_
    ) AxelarExecutable(gateway_) {
        if (coordinator_ == address(0) || treasury_ == address(0) || minStake_ == 0) {
            revert WorkerHubZeroArgument();
        }
        if (bytes(homeChain_).length == 0) revert WorkerHubZeroArgument();
        _homeChain = homeChain_;
        _homeChainHash = keccak256(bytes(homeChain_));
        _coordinator = coordinator_;
        _minStake = minStake_;
        _unbondingDelay = unbondingDelay_;
        _treasury = treasury_;
    }

    // ------------------------------------------------------------------ staking

    /// @notice Registers the caller, or adds to its stake, with the native currency sent.
    function register() external payable {
        Worker storage w = _workers[msg.sender];
        if (w.unlockAt != 0) revert WorkerHubUnbonding(msg.sender);
        uint256 stake = w.stake + msg.value;
        if (msg.value == 0 || stake < _minStake) revert WorkerHubStakeTooLow(stake, _minStake);
        w.stake = SafeCast.toUint128(stake);
        _totalStaked += msg.value;
        emit WorkerStaked(msg.sender, msg.value, stake);
    }

    /// @notice Starts unbonding the caller's whole stake; it can no longer commit.
    function requestUnbond() external {
        Worker storage w = _workers[msg.sender];
        if (w.stake == 0) revert WorkerHubNotRegistered(msg.sender);
        if (w.unlockAt != 0) revert WorkerHubUnbonding(msg.sender);
        uint256 unlockAt = block.timestamp + _unbondingDelay;
        w.unlockAt = SafeCast.toUint64(unlockAt);
        emit UnbondingRequested(msg.sender, unlockAt);
    }

    /// @notice Sends the caller its whole stake once the unbonding delay has passed.
    function withdrawStake() external {
        Worker storage w = _workers[msg.sender];
        if (w.unlockAt == 0) revert WorkerHubNotUnbonding(msg.sender);
        if (block.timestamp < w.unlockAt) revert WorkerHubStillLocked(w.unlockAt);
        uint256 amount = w.stake;
        w.stake = 0;
        w.unlockAt = 0;
        _totalStaked -= amount;
        emit StakeWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ------------------------------------------------------------------ rounds

    /// @notice Commits to an update: `commitment` = keccak256(abi.encode(updateRoot, samples,
    ///         dataRoot, salt, worker)), accepted during the round's commit window.
    /// @param taskId The task.
    /// @param round The round (0-based).
    /// @param commitment The hash described above.
    function commitUpdate(uint256 taskId, uint16 round, bytes32 commitment) external {
        if (commitment == bytes32(0)) revert WorkerHubZeroHash();
        Worker storage w = _workers[msg.sender];
        uint256 stake = w.stake;
        if (stake == 0) revert WorkerHubNotRegistered(msg.sender);
        if (stake < _minStake) revert WorkerHubStakeTooLow(stake, _minStake);
        if (w.unlockAt != 0) revert WorkerHubUnbonding(msg.sender);
        TaskWindows memory t = _liveTask(taskId, round);
        (uint256 open, uint256 commitDeadline,) = _windows(t, round);
        if (block.timestamp < open || block.timestamp >= commitDeadline) {
            revert WorkerHubNotCommitWindow(block.timestamp, open, commitDeadline);
        }
        Entry storage e = _entries[taskId][round][msg.sender];
        if (e.commitment != bytes32(0)) {
            revert WorkerHubAlreadyCommitted(taskId, round, msg.sender);
        }
        e.commitment = commitment;
        emit UpdateCommitted(taskId, round, msg.sender, commitment);
    }

    /// @notice Reveals the committed update during the round's reveal window.
    /// @param taskId The task.
    /// @param round The round.
    /// @param updateRoot The Merkle root of the update's leaves.
    /// @param samples The number of samples trained on (the worker's weight), 1..maxWeight.
    /// @param dataRoot The Merkle root of the data used (provenance).
    /// @param salt The secret that hid the commitment.
    function revealUpdate(
        uint256 taskId,
        uint16 round,
        bytes32 updateRoot,
        uint64 samples,
        bytes32 dataRoot,
        bytes32 salt
    ) external {
        if (updateRoot == bytes32(0)) revert WorkerHubZeroHash();
        TaskWindows memory t = _knownTask(taskId, round);
        (, uint256 commitDeadline, uint256 revealDeadline) = _windows(t, round);
        if (block.timestamp < commitDeadline || block.timestamp >= revealDeadline) {
            revert WorkerHubNotRevealWindow(block.timestamp, commitDeadline, revealDeadline);
        }
        if (samples == 0 || samples > t.maxWeight) {
            revert WorkerHubSamplesOutOfRange(samples, t.maxWeight);
        }
        Entry storage e = _entries[taskId][round][msg.sender];
        bytes32 commitment = e.commitment;
        if (commitment == bytes32(0)) revert WorkerHubNotCommitted(taskId, round, msg.sender);
        if (e.updateRoot != bytes32(0)) revert WorkerHubAlreadyRevealed(taskId, round, msg.sender);
        bytes32 computed = commitmentOf(updateRoot, samples, dataRoot, salt, msg.sender);
        if (computed != commitment) revert WorkerHubRevealMismatch(commitment, computed);
        e.updateRoot = updateRoot;
        ++_workers[msg.sender].roundsContributed;
        emit UpdateRevealed(taskId, round, msg.sender, updateRoot, samples, dataRoot);
    }

    /// @notice Records, once, that `worker` committed in a round but did not reveal in time.
    /// @param taskId The task.
    /// @param round The round, whose reveal window must have closed.
    /// @param worker The worker.
    function recordMiss(uint256 taskId, uint16 round, address worker) external {
        TaskWindows memory t = _knownTask(taskId, round);
        (,, uint256 revealDeadline) = _windows(t, round);
        if (block.timestamp < revealDeadline) revert WorkerHubRevealWindowOpen(revealDeadline);
        Entry storage e = _entries[taskId][round][worker];
        if (e.commitment == bytes32(0)) revert WorkerHubNotCommitted(taskId, round, worker);
        if (e.updateRoot != bytes32(0) || e.missRecorded) {
            revert WorkerHubNotMissed(taskId, round, worker);
        }
        e.missRecorded = true;
        ++_workers[worker].roundsMissed;
        emit RevealMissed(taskId, round, worker);
    }

    /// @notice The commitment a worker makes for an update: keccak256(abi.encode(updateRoot,
    ///         samples, dataRoot, salt, worker)).
    function commitmentOf(
        bytes32 updateRoot,
        uint64 samples,
        bytes32 dataRoot,
        bytes32 salt,
        address worker
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(updateRoot, samples, dataRoot, salt, worker));
    }

    // ------------------------------------------------------------------ gateway messages

    /// @dev Accepts TASK_POSTED, TASK_CANCELLED and WORKER_SLASHED from the coordinator only.
    function _execute(
        bytes32, /* commandId */
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) internal override {
        (bool parsed, address sender) = Strings.tryParseAddress(sourceAddress);
        if (!parsed || sender != _coordinator || keccak256(bytes(sourceChain)) != _homeChainHash) {
            revert WorkerHubUntrustedSource(sourceChain, sourceAddress);
        }
        uint8 kind = Messages.kind(payload);
        if (kind == Messages.TASK_POSTED) {
            (uint256 taskId, Messages.Schedule memory s) = Messages.decodeTaskPosted(payload);
            if (_tasks[taskId].rounds != 0) revert WorkerHubTaskExists(taskId);
            _tasks[taskId] = TaskWindows({
                startTime: s.startTime,
                roundPeriod: s.roundPeriod,
                commitWindow: s.commitWindow,
                revealWindow: s.revealWindow,
                rounds: s.rounds,
                maxWeight: s.maxWeight,
                cancelled: false
            });
            emit TaskAnnounced(
                taskId,
                s.startTime,
                s.roundPeriod,
                s.commitWindow,
                s.revealWindow,
                s.rounds,
                s.maxWeight
            );
        } else if (kind == Messages.TASK_CANCELLED) {
            uint256 taskId = Messages.decodeTaskCancelled(payload);
            if (_tasks[taskId].rounds == 0) revert WorkerHubUnknownTask(taskId);
            _tasks[taskId].cancelled = true;
            emit TaskCancelled(taskId);
        } else if (kind == Messages.WORKER_SLASHED) {
            (address worker, uint256 amount, uint256 taskId, uint16 round, bytes32 reason) =
                Messages.decodeWorkerSlashed(payload);
            Worker storage w = _workers[worker];
            uint256 slashed = amount < w.stake ? amount : w.stake;
            // slashed <= w.stake <= _totalStaked.
            unchecked {
                // slashed <= w.stake, a uint128.
                // forge-lint: disable-next-line(unsafe-typecast)
                w.stake -= uint128(slashed);
                _totalStaked -= slashed;
            }
            ++w.slashes;
            emit WorkerSlashed(worker, slashed, taskId, round, reason);
            _send(_treasury, slashed);
        } else {
            revert WorkerHubUnknownMessage(kind);
        }
    }

    // ------------------------------------------------------------------ getters

    /// @notice A worker's stake, unbonding time (0 while bonded) and reputation counters.
    function workerOf(address worker) external view returns (Worker memory) {
        return _workers[worker];
    }

    /// @notice Whether `worker` may commit now: stake at least the minimum and not unbonding.
    function isActiveWorker(address worker) external view returns (bool) {
        Worker storage w = _workers[worker];
        return w.stake >= _minStake && w.unlockAt == 0;
    }

    /// @notice A task's schedule as announced (all zero if unknown).
    function taskWindows(uint256 taskId) external view returns (TaskWindows memory) {
        return _tasks[taskId];
    }

    /// @notice A round's windows: open, commit deadline, reveal deadline (unix seconds).
    function roundWindows(uint256 taskId, uint16 round)
        external
        view
        returns (uint256 open, uint256 commitDeadline, uint256 revealDeadline)
    {
        return _windows(_knownTask(taskId, round), round);
    }

    /// @notice A worker's commitment and revealed root in a round (zero when absent).
    function entryOf(uint256 taskId, uint16 round, address worker)
        external
        view
        returns (Entry memory)
    {
        return _entries[taskId][round][worker];
    }

    /// @notice The sum of all stakes, always equal to the hub's native balance.
    function totalStaked() external view returns (uint256) {
        return _totalStaked;
    }

    /// @notice The least stake to commit.
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @notice Seconds between requesting unbonding and withdrawing.
    function unbondingDelay() external view returns (uint256) {
        return _unbondingDelay;
    }

    /// @notice Where slashed stake goes.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice The trusted source: the home chain's gateway name and the coordinator.
    function trustedSource()
        external
        view
        returns (string memory homeChain_, address coordinator_)
    {
        return (_homeChain, _coordinator);
    }

    // ------------------------------------------------------------------ internals

    function _knownTask(uint256 taskId, uint16 round) private view returns (TaskWindows memory t) {
        t = _tasks[taskId];
        if (t.rounds == 0) revert WorkerHubUnknownTask(taskId);
        if (round >= t.rounds) revert WorkerHubRoundOutOfRange(taskId, round);
    }

    function _liveTask(uint256 taskId, uint16 round) private view returns (TaskWindows memory t) {
        t = _knownTask(taskId, round);
        if (t.cancelled) revert WorkerHubTaskCancelled(taskId);
    }

    function _windows(TaskWindows memory t, uint16 round)
        private
        pure
        returns (uint256 open, uint256 commitDeadline, uint256 revealDeadline)
    {
        open = uint256(t.startTime) + uint256(round) * t.roundPeriod;
        commitDeadline = open + t.commitWindow;
        revealDeadline = commitDeadline + t.revealWindow;
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert WorkerHubTransferFailed(to, amount);
    }
}
// forge-lint: disable-end(block-timestamp)
