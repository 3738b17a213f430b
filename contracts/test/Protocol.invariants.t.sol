// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {TaskCoordinator} from "../src/TaskCoordinator.sol";
import {WorkerHub} from "../src/WorkerHub.sol";
import {ProtocolHandler} from "./handlers/ProtocolHandler.sol";
import {Test} from "./utils/Test.sol";

/// @notice Invariants of the whole protocol over random action sequences of {ProtocolHandler}.
contract ProtocolInvariantsTest is Test {
    ProtocolHandler internal handler;

    function setUp() public {
        handler = new ProtocolHandler();
    }

    /// @notice forge fuzzes only the handler's actions.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice Escrow is conserved: deposits = paid on home + refunded + released after a
    ///         return + held, where held = unallocated + home pools + locked for other chains, and
    ///         what is locked for a chain = its minted supply + its not yet minted grants.
    function invariant_EscrowIsConserved() public view {
        TaskCoordinator c = _coordinator();
        uint256 held = c.token().balanceOf(address(c));
        vm.assertEq(
            handler.ghostDeposits(),
            handler.ghostPaidHome() + handler.ghostRefunded() + handler.ghostReleased() + held,
            "deposits = paid + refunded + released + held"
        );
        vm.assertEq(
            c.token().balanceOf(handler.clientAddress()),
            handler.clientStart() - handler.ghostDeposits() + handler.ghostRefunded(),
            "client got exactly its refunds"
        );
        uint256 accounted;
        for (uint256 i = 0; i < handler.taskCount(); ++i) {
            (uint256 id, uint16 rounds) = handler.taskAt(i);
            (,,, uint256 unallocated,) = c.taskState(id);
            accounted += unallocated;
            for (uint16 r = 0; r < rounds; ++r) {
                (,,,, uint256 homePool) = c.roundCommitment(id, r);
                accounted += homePool;
            }
        }
        for (uint64 chainId = 2; chainId <= 3; ++chainId) {
            uint256 locked = c.lockedForChain(chainId);
            accounted += locked;
            (uint256 supply, uint256 granted) = _vaultTotals(chainId);
            vm.assertEq(
                supply, handler.ghostMinted(chainId) - handler.ghostBurned(chainId), "supply"
            );
            vm.assertEq(
                locked,
                supply + (granted - handler.ghostMinted(chainId)),
                "locked = minted supply + unminted grants"
            );
        }
        vm.assertEq(held, accounted, "held = unallocated + home pools + locked");
    }

    /// @notice No (task, round, worker) is paid twice, on any chain.
    function invariant_NoWorkerIsPaidTwiceForARound() public view {
        vm.assertEq(handler.ghostDoublePays(), 0, "double pay");
        vm.assertEq(handler.ghostFailedFirstClaims(), 0, "a first claim with a valid proof failed");
    }

    /// @notice Every hub's stakes sum to its native balance.
    function invariant_StakesSumToHubBalance() public view {
        for (uint256 h = 0; h < 3; ++h) {
            WorkerHub hub = handler.hubAt(h);
            uint256 sum;
            uint256 ghostSum;
            for (uint256 i = 0; i < handler.workerCount(); ++i) {
                sum += hub.workerOf(handler.workerAt(i)).stake;
                ghostSum += handler.ghostStake(address(hub), handler.workerAt(i));
            }
            vm.assertEq(sum, address(hub).balance, "stakes = balance");
            vm.assertEq(hub.totalStaked(), address(hub).balance, "totalStaked = balance");
            vm.assertEq(sum, ghostSum, "stakes = ghost stakes");
        }
    }

    function _coordinator() internal view returns (TaskCoordinator) {
        return TaskCoordinator(handler.coordinatorAddress());
    }

    function _vaultTotals(uint64 chainId) internal view returns (uint256 supply, uint256 granted) {
        return handler.vaultTotals(chainId);
    }
}
