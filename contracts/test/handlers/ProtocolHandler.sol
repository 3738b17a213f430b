// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TaskCoordinator} from "../../src/TaskCoordinator.sol";
import {WorkerHub} from "../../src/WorkerHub.sol";
import {RewardVault} from "../../src/RewardVault.sol";
import {ITaskCoordinator} from "../../src/interfaces/ITaskCoordinator.sol";
import {MerkleSha256} from "../../src/libraries/MerkleSha256.sol";
import {ProtocolFixture} from "../mocks/ProtocolFixture.sol";

/// @title ProtocolHandler
/// @notice Drives the whole suite (three simulated chains) with random but valid actions for the
///         invariant tests, relaying every gateway message at once, and keeps ghost totals computed
///         independently of the contracts: deposits, home payouts, refunds, releases, mints, burns,
///         stakes, and how often each (task, round, worker) was paid.
contract ProtocolHandler is ProtocolFixture {
    struct Leaf {
        uint64 chainId;
        address worker;
        bytes32 updateRoot;
        uint64 weight;
    }

    struct TaskInfo {
        uint256 id;
        uint16 rounds;
        uint64[] chains;
    }

    uint256 internal constant WORKERS = 6;

    TaskInfo[] internal tasks;
    mapping(uint256 key => Leaf[]) internal trees; // key = keccak(taskId, round)
    mapping(uint256 key => bool) internal committed;
    bytes32[] internal finalizedRounds; // keccak(taskId, round) of finalized rounds
    mapping(bytes32 key => uint256 taskId) internal taskOfKey;
    mapping(bytes32 key => uint16 round) internal roundOfKey;

    // Ghost totals.
    uint256 public ghostDeposits;
    uint256 public ghostPaidHome;
    uint256 public ghostRefunded;
    uint256 public ghostReleased;
    uint256 public clientStart;
    mapping(uint64 chainId => uint256) public ghostMinted;
    mapping(uint64 chainId => uint256) public ghostBurned;
    mapping(bytes32 paidKey => uint256) public ghostPaidCount;
    uint256 public ghostDoublePays;
    uint256 public ghostClaims;
    mapping(address hub => mapping(address worker => uint256)) public ghostStake;

    constructor() {
        setUpProtocol();
        clientStart = token.balanceOf(client);
    }

    // ------------------------------------------------------------------ actions

    function postTask(uint256 bountySeed, uint8 roundsSeed, uint8 chainMask) external {
        if (tasks.length >= 6) return;
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.rounds = uint16(bound(roundsSeed, 1, 3));
        spec.startTime = uint64(block.timestamp + 1);
        spec.roundPeriod = 100;
        spec.commitWindow = 30;
        spec.revealWindow = 30;
        spec.aggregateWindow = 30;
        spec.challengeWindow = 20;
        spec.maxContributors = 8;
        uint256 mask = bound(chainMask, 1, 7);
        uint256 count;
        uint64[] memory all = new uint64[](3);
        for (uint64 c = 1; c <= 3; ++c) {
            if (mask & (1 << (c - 1)) != 0) all[count++] = c;
        }
        spec.chainIds = new uint64[](count);
        for (uint256 i = 0; i < count; ++i) {
            spec.chainIds[i] = all[i];
        }
        uint256 bounty = bound(bountySeed, spec.rounds, BOUNTY);
        uint256 taskId = postTask(spec, bounty);
        ghostDeposits += bounty;
        tasks.push();
        TaskInfo storage t = tasks[tasks.length - 1];
        t.id = taskId;
        t.rounds = spec.rounds;
        t.chains = spec.chainIds;
    }

    function warp(uint256 seconds_) external {
        pvm.warp(block.timestamp + bound(seconds_, 1, 120));
    }

    function commitRound(uint256 taskSeed, uint256 roundSeed, uint256 leafSeed) external {
        if (tasks.length == 0) return;
        TaskInfo storage t = tasks[taskSeed % tasks.length];
        uint16 round = uint16(roundSeed % t.rounds);
        ITaskCoordinator.Phase phase = coordinator.roundPhase(t.id, round);
        if (phase < ITaskCoordinator.Phase.Aggregating) {
            // The aggregator waits for the reveal window to close.
            (, uint256 revealDeadline,) = coordinator.roundDeadlines(t.id, round);
            pvm.warp(revealDeadline);
        } else if (phase != ITaskCoordinator.Phase.Aggregating) {
            return;
        }
        uint256 key = uint256(keccak256(abi.encode(t.id, round)));
        uint256 n = bound(leafSeed, 1, WORKERS);
        uint64[] memory weights = new uint64[](t.chains.length);
        bytes32[] memory hashes = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(leafSeed, i)));
            uint256 c = r % t.chains.length;
            Leaf memory leaf = Leaf({
                chainId: t.chains[c],
                worker: workerAt(i),
                updateRoot: keccak256(abi.encode(r)),
                weight: uint64(1 + (r >> 16) % 1000)
            });
            weights[c] += leaf.weight;
            trees[key].push(leaf);
            hashes[i] = MerkleSha256.contributionLeaf(
                leaf.chainId, leaf.worker, leaf.updateRoot, leaf.weight
            );
        }
        commitRoundAs(t.id, round, merkleRoot(hashes), uint32(n), weights);
        committed[key] = true;
    }

    function finalizeRound(uint256 taskSeed, uint256 roundSeed) external {
        if (tasks.length == 0) return;
        TaskInfo storage t = tasks[taskSeed % tasks.length];
        uint16 round = uint16(roundSeed % t.rounds);
        if (coordinator.roundPhase(t.id, round) != ITaskCoordinator.Phase.Challenging) return;
        (,,, uint256 committedAt,) = coordinator.roundCommitment(t.id, round);
        ITaskCoordinator.TaskSpec memory spec = coordinator.taskSpec(t.id);
        if (block.timestamp < committedAt + spec.challengeWindow) {
            pvm.warp(committedAt + spec.challengeWindow);
        }
        uint256 reward = coordinator.roundReward(t.id, round);
        Leaf[] storage leaves = trees[uint256(keccak256(abi.encode(t.id, round)))];
        // Dust of the split by chain, computed here from the leaves.
        uint256[] memory chainWeight = new uint256[](4);
        uint256 total;
        for (uint256 i = 0; i < leaves.length; ++i) {
            chainWeight[leaves[i].chainId] += leaves[i].weight;
            total += leaves[i].weight;
        }
        uint256 split;
        for (uint256 c = 1; c <= 3; ++c) {
            split += reward * chainWeight[c] / total;
        }
        coordinator.finalizeRound(t.id, round);
        relayAll();
        ghostRefunded += reward - split;
        bytes32 k = keccak256(abi.encode(t.id, round));
        finalizedRounds.push(k);
        taskOfKey[k] = t.id;
        roundOfKey[k] = round;
    }

    function failRound(uint256 taskSeed, uint256 roundSeed) external {
        if (tasks.length == 0) return;
        TaskInfo storage t = tasks[taskSeed % tasks.length];
        uint16 round = uint16(roundSeed % t.rounds);
        (, TaskCoordinator.Status status,,,) = coordinator.taskState(t.id);
        if (status != TaskCoordinator.Status.Active) return;
        if (committed[uint256(keccak256(abi.encode(t.id, round)))]) return;
        if (coordinator.roundPhase(t.id, round) != ITaskCoordinator.Phase.Failed) return;
        if (_settledFailed(t.id, round)) return;
        coordinator.failRound(t.id, round);
        failedRound[keccak256(abi.encode(t.id, round))] = true;
        ghostRefunded += coordinator.roundReward(t.id, round);
    }

    mapping(bytes32 key => bool) internal failedRound;

    function _settledFailed(uint256 taskId, uint16 round) internal view returns (bool) {
        return failedRound[keccak256(abi.encode(taskId, round))];
    }

    function cancelTask(uint256 taskSeed) external {
        if (tasks.length == 0) return;
        TaskInfo storage t = tasks[taskSeed % tasks.length];
        (, TaskCoordinator.Status status,,,) = coordinator.taskState(t.id);
        if (status != TaskCoordinator.Status.Active) return;
        uint256 refund;
        for (uint16 r = 0; r < t.rounds; ++r) {
            bytes32 k = keccak256(abi.encode(t.id, r));
            if (!committed[uint256(k)] && !failedRound[k]) {
                refund += coordinator.roundReward(t.id, r);
                failedRound[k] = true;
            }
        }
        pvm.prank(client);
        coordinator.cancelTask(t.id);
        relayAll();
        ghostRefunded += refund;
    }

    /// @notice Claims `count` leaves of a finalized round from `leafSeed` on (again and again:
    ///         a leaf already paid must fail).
    function claim(uint256 roundSeed, uint256 leafSeed, uint256 count) external {
        if (finalizedRounds.length == 0) return;
        bytes32 k = finalizedRounds[roundSeed % finalizedRounds.length];
        uint256 n = trees[uint256(k)].length;
        count = bound(count, 1, n);
        for (uint256 j = 0; j < count; ++j) {
            _claimLeaf(k, (leafSeed % n + j) % n);
        }
        // The first leaf again: it is paid by now, so this attempt must fail.
        _claimLeaf(k, leafSeed % n);
    }

    function _claimLeaf(bytes32 k, uint256 i) internal {
        uint256 taskId = taskOfKey[k];
        uint16 round = roundOfKey[k];
        Leaf[] storage leaves = trees[uint256(k)];
        Leaf memory leaf = leaves[i];
        bytes32[] memory hashes = new bytes32[](leaves.length);
        uint256 total;
        uint256 chainTotal;
        for (uint256 j = 0; j < leaves.length; ++j) {
            hashes[j] = MerkleSha256.contributionLeaf(
                leaves[j].chainId, leaves[j].worker, leaves[j].updateRoot, leaves[j].weight
            );
            total += leaves[j].weight;
            if (leaves[j].chainId == leaf.chainId) chainTotal += leaves[j].weight;
        }
        bytes32[] memory proof = merkleProof(hashes, i);
        bytes32 paidKey = keccak256(abi.encode(taskId, round, leaf.worker, leaf.chainId));
        // A worker with two leaves in one round is paid for one of them only.
        bool again = _paidInRound(taskId, round, leaf.worker, leaf.chainId);
        bool ok = _tryClaim(taskId, round, leaf, i, proof);
        if (!ok) {
            if (!again) ghostFailedFirstClaims++;
            return;
        }
        if (again) ghostDoublePays++;
        ghostPaidCount[paidKey]++;
        ghostClaims++;
        uint256 reward = coordinator.roundReward(taskId, round);
        if (leaf.chainId == HOME) {
            ghostPaidHome += reward * leaf.weight / total;
        } else {
            uint256 share = reward * chainTotal / total;
            ghostMinted[leaf.chainId] += share * leaf.weight / chainTotal;
        }
    }

    uint256 public ghostFailedFirstClaims;

    function returnToHome(uint256 workerSeed, uint256 chainSeed, uint256 amountSeed) external {
        // The first (worker, vault) from the seeds on that holds wrapped reward.
        address worker;
        uint64 chainId;
        uint256 balance;
        for (uint256 j = 0; j < 2 * WORKERS && balance == 0; ++j) {
            worker = workerAt((workerSeed % WORKERS + j / 2) % WORKERS);
            chainId = (chainSeed % 2 + j) % 2 == 0 ? CHAIN_B : CHAIN_C;
            balance = (chainId == CHAIN_B ? vaultB : vaultC).balanceOf(worker);
        }
        if (balance == 0) return;
        RewardVault vault = chainId == CHAIN_B ? vaultB : vaultC;
        uint256 amount = bound(amountSeed, 1, balance);
        pvm.prank(worker);
        vault.returnToHome(amount, address(0xFEED));
        relayAll();
        ghostBurned[chainId] += amount;
        ghostReleased += amount;
    }

    function stake(uint256 workerSeed, uint256 hubSeed, uint256 amountSeed) external {
        address worker = workerAt(workerSeed % WORKERS);
        WorkerHub hub = hubAt(hubSeed);
        if (hub.workerOf(worker).unlockAt != 0) return;
        uint256 amount = bound(amountSeed, MIN_STAKE, 3 ether);
        pvm.deal(worker, amount);
        pvm.prank(worker);
        hub.register{value: amount}();
        ghostStake[address(hub)][worker] += amount;
    }

    function unbond(uint256 workerSeed, uint256 hubSeed) external {
        address worker = workerAt(workerSeed % WORKERS);
        WorkerHub hub = hubAt(hubSeed);
        WorkerHub.Worker memory w = hub.workerOf(worker);
        if (w.stake == 0 || w.unlockAt != 0) return;
        pvm.prank(worker);
        hub.requestUnbond();
    }

    function withdraw(uint256 workerSeed, uint256 hubSeed) external {
        address worker = workerAt(workerSeed % WORKERS);
        WorkerHub hub = hubAt(hubSeed);
        WorkerHub.Worker memory w = hub.workerOf(worker);
        if (w.unlockAt == 0) return;
        if (block.timestamp < w.unlockAt) pvm.warp(w.unlockAt);
        pvm.prank(worker);
        hub.withdrawStake();
        ghostStake[address(hub)][worker] = 0;
    }

    function slash(uint256 workerSeed, uint256 hubSeed, uint256 amountSeed) external {
        address worker = workerAt(workerSeed % WORKERS);
        uint64 chainId = uint64(1 + hubSeed % 3);
        WorkerHub hub = hubAt(hubSeed);
        uint256 amount = bound(amountSeed, 0, 4 ether);
        pvm.prank(owner);
        coordinator.slashWorker(chainId, worker, amount, 0, 0, "invariant");
        relayAll();
        uint256 held = ghostStake[address(hub)][worker];
        ghostStake[address(hub)][worker] = held - (amount < held ? amount : held);
    }

    // ------------------------------------------------------------------ views for invariants

    function workerAt(uint256 i) public pure returns (address) {
        return address(uint160(0xB0B000 + i));
    }

    function hubAt(uint256 seed) public view returns (WorkerHub) {
        uint256 i = seed % 3;
        return i == 0 ? hubHome : (i == 1 ? hubB : hubC);
    }

    function taskCount() external view returns (uint256) {
        return tasks.length;
    }

    function taskAt(uint256 i) external view returns (uint256 id, uint16 rounds) {
        return (tasks[i].id, tasks[i].rounds);
    }

    function workerCount() external pure returns (uint256) {
        return WORKERS;
    }

    function clientAddress() external view returns (address) {
        return client;
    }

    function coordinatorAddress() external view returns (address) {
        return address(coordinator);
    }

    /// @notice A participant vault's wrapped supply and the sum of its grants.
    function vaultTotals(uint64 chainId) external view returns (uint256 supply, uint256 granted) {
        RewardVault vault = chainId == CHAIN_B ? vaultB : vaultC;
        return (vault.totalSupply(), vault.totalGranted());
    }

    // ------------------------------------------------------------------ internals

    function _paidInRound(uint256 taskId, uint16 round, address worker, uint64 chainId)
        internal
        view
        returns (bool)
    {
        return ghostPaidCount[keccak256(abi.encode(taskId, round, worker, chainId))] != 0;
    }

    function _tryClaim(
        uint256 taskId,
        uint16 round,
        Leaf memory leaf,
        uint256 index,
        bytes32[] memory proof
    ) internal returns (bool) {
        if (leaf.chainId == HOME) {
            try coordinator.claim(
                taskId, round, leaf.worker, leaf.updateRoot, leaf.weight, index, proof
            ) {
                return true;
            } catch {
                return false;
            }
        }
        RewardVault vault = leaf.chainId == CHAIN_B ? vaultB : vaultC;
        try vault.claim(taskId, round, leaf.worker, leaf.updateRoot, leaf.weight, index, proof) {
            return true;
        } catch {
            return false;
        }
    }
}
