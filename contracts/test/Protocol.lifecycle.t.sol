// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {WorkerHub} from "../src/WorkerHub.sol";
import {ITaskCoordinator} from "../src/interfaces/ITaskCoordinator.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {MerkleSha256} from "../src/libraries/MerkleSha256.sol";
import {ProtocolFixture} from "./mocks/ProtocolFixture.sol";

/// @notice A whole task of two rounds with workers on all three chains: stake, commit and reveal
///         on their own chains, one commitment per round on home, finalize, claims where each
///         worker works, and a return of wrapped reward to home. Every message goes through the
///         gateways.
contract ProtocolLifecycleTest is ProtocolFixture {
    address[6] internal workers = [
        address(0x1001),
        address(0x1002),
        address(0x2001),
        address(0x2002),
        address(0x3001),
        address(0x3002)
    ];
    uint64[6] internal chainOf = [HOME, HOME, CHAIN_B, CHAIN_B, CHAIN_C, CHAIN_C];

    function setUp() public {
        setUpProtocol();
    }

    function hubOf(uint64 chainId) internal view returns (WorkerHub) {
        return chainId == HOME ? hubHome : (chainId == CHAIN_B ? hubB : hubC);
    }

    function test_TwoRoundsWithWorkersOnThreeChainsPayEveryoneAndGrowTheLineage() public {
        for (uint256 i = 0; i < 6; ++i) {
            registerWorker(hubOf(chainOf[i]), workers[i]);
        }
        uint256 clientBefore = token.balanceOf(client);
        uint256 taskId = postDefaultTask();

        for (uint16 round = 0; round < 2; ++round) {
            bytes32[] memory leaves = _playRound(taskId, round);
            pvm.warp(block.timestamp + 100);
            coordinator.finalizeRound(taskId, round);
            relayAll();
            _claimAll(taskId, round, leaves);
        }

        // Lineage: two checkpoints, chained.
        vm.assertEq(registry.checkpointCount(modelId), 2, "lineage");
        IModelRegistry.Checkpoint memory second = registry.checkpoint(modelId, 1);
        vm.assertEq(second.parentRoot, registry.checkpoint(modelId, 0).modelRoot, "chained");
        vm.assertEq(registry.headRoot(modelId), second.modelRoot, "head");
        // Reputation on every hub.
        for (uint256 i = 0; i < 6; ++i) {
            vm.assertEq(hubOf(chainOf[i]).workerOf(workers[i]).roundsContributed, 2, "contributed");
        }
        // Weights: worker i weighs 100 * (i + 1); total 2,100 per round.
        uint256 paid;
        for (uint256 i = 0; i < 6; ++i) {
            uint256 expected = 2 * ((BOUNTY / 2) * (100 * (i + 1)) / 2100);
            uint256 got = chainOf[i] == HOME
                ? token.balanceOf(workers[i])
                : (chainOf[i] == CHAIN_B ? vaultB : vaultC).balanceOf(workers[i]);
            // Vault payouts round twice (share of chain, then share of worker): at most 1 wei less
            // per round.
            vm.assertLe(got, expected, "not above pro rata");
            vm.assertLe(expected - got, 2, "pro rata");
            paid += got;
        }
        (,,, uint256 unallocated, uint16 settled) = coordinator.taskState(taskId);
        vm.assertEq(unallocated, 0, "all rounds allocated");
        vm.assertEq(settled, 2, "both rounds settled");
        // A chain-C worker brings its wrapped reward home.
        uint256 wrapped = vaultC.balanceOf(workers[4]);
        pvm.prank(workers[4]);
        vaultC.returnToHome(wrapped, workers[4]);
        relayAll();
        vm.assertEq(token.balanceOf(workers[4]), wrapped, "released on home");
        // Conservation: bounty = paid + dust refunded + still held.
        uint256 held = token.balanceOf(address(coordinator));
        uint256 refunded = token.balanceOf(client) - (clientBefore - BOUNTY);
        vm.assertEq(
            BOUNTY,
            token.balanceOf(workers[0]) + token.balanceOf(workers[1]) + wrapped + refunded + held,
            "escrow conserved"
        );
        vm.assertEq(
            held,
            _homePools(taskId) + coordinator.lockedForChain(CHAIN_B)
                + coordinator.lockedForChain(CHAIN_C),
            "held = home pools (rounding dust) + locked"
        );
        vm.assertEq(
            coordinator.lockedForChain(CHAIN_C),
            vaultC.totalGranted() - wrapped,
            "C: locked = granted - returned"
        );
    }

    function _homePools(uint256 taskId) internal view returns (uint256 pools) {
        for (uint16 r = 0; r < 2; ++r) {
            (,,,, uint256 pool) = coordinator.roundCommitment(taskId, r);
            pools += pool;
        }
    }

    function _playRound(uint256 taskId, uint16 round) internal returns (bytes32[] memory leaves) {
        warpToCommit(taskId, round);
        for (uint256 i = 0; i < 6; ++i) {
            bytes32 c = commitment(
                hubOf(chainOf[i]), workers[i], _updateRoot(round, i), _samples(i), _salt(round, i)
            );
            pvm.prank(workers[i]);
            hubOf(chainOf[i]).commitUpdate(taskId, round, c);
        }
        warpToReveal(taskId, round);
        leaves = new bytes32[](6);
        uint64[] memory weights = new uint64[](3);
        for (uint256 i = 0; i < 6; ++i) {
            bytes32 dataRoot = dataRootOf(workers[i]);
            pvm.prank(workers[i]);
            hubOf(chainOf[i])
                .revealUpdate(
                    taskId, round, _updateRoot(round, i), _samples(i), dataRoot, _salt(round, i)
                );
            leaves[i] = MerkleSha256.contributionLeaf(
                chainOf[i], workers[i], _updateRoot(round, i), _samples(i)
            );
            weights[chainOf[i] - 1] += _samples(i);
        }
        warpToAggregate(taskId, round);
        commitRoundAs(taskId, round, merkleRoot(leaves), 6, weights);
        vm.assertTrue(
            coordinator.roundPhase(taskId, round) == ITaskCoordinator.Phase.Challenging, "ch"
        );
    }

    function _claimAll(uint256 taskId, uint16 round, bytes32[] memory leaves) internal {
        for (uint256 i = 0; i < 6; ++i) {
            bytes32[] memory proof = merkleProof(leaves, i);
            if (chainOf[i] == HOME) {
                coordinator.claim(
                    taskId, round, workers[i], _updateRoot(round, i), _samples(i), i, proof
                );
            } else {
                (chainOf[i] == CHAIN_B ? vaultB : vaultC)
                .claim(taskId, round, workers[i], _updateRoot(round, i), _samples(i), i, proof);
            }
        }
    }

    function _updateRoot(uint16 round, uint256 i) internal pure returns (bytes32) {
        return keccak256(abi.encode("update", round, i));
    }

    function _salt(uint16 round, uint256 i) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", round, i));
    }

    function _samples(uint256 i) internal pure returns (uint64) {
        return uint64(100 * (i + 1));
    }
}
