// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Messages} from "../src/libraries/Messages.sol";
import {Test} from "./utils/Test.sol";

/// @notice Exposes the library so payloads arrive as calldata, as they do in `_execute`.
contract MessagesHarness {
    function kind(bytes calldata payload) external pure returns (uint8) {
        return Messages.kind(payload);
    }

    function decodeTaskPosted(bytes calldata payload)
        external
        pure
        returns (uint256, Messages.Schedule memory)
    {
        return Messages.decodeTaskPosted(payload);
    }

    function decodeWorkerSlashed(bytes calldata payload)
        external
        pure
        returns (address, uint256, uint256, uint16, bytes32)
    {
        return Messages.decodeWorkerSlashed(payload);
    }

    function decodeRoundFinalized(bytes calldata payload)
        external
        pure
        returns (uint256, uint16, bytes32, uint64, uint256)
    {
        return Messages.decodeRoundFinalized(payload);
    }

    function decodeRewardReturned(bytes calldata payload) external pure returns (address, uint256) {
        return Messages.decodeRewardReturned(payload);
    }

    function decodeTaskCancelled(bytes calldata payload) external pure returns (uint256) {
        return Messages.decodeTaskCancelled(payload);
    }
}

contract MessagesTest is Test {
    MessagesHarness internal m;

    function setUp() public {
        m = new MessagesHarness();
    }

    function test_PayloadsAreTheKindWordFollowedByAbiEncodedFields() public pure {
        // The layout the Java side relies on: abi.encode(uint8 kind, fields...).
        vm.assertEq(
            Messages.encodeRoundFinalized(7, 1, bytes32("root"), 300, 5e18),
            abi.encode(
                uint8(4), uint256(7), uint16(1), bytes32("root"), uint64(300), uint256(5e18)
            ),
            "ROUND_FINALIZED"
        );
        vm.assertEq(
            Messages.encodeRewardReturned(address(0xFEED), 9),
            abi.encode(uint8(5), address(0xFEED), uint256(9)),
            "REWARD_RETURNED"
        );
        vm.assertEq(Messages.encodeTaskCancelled(3), abi.encode(uint8(2), uint256(3)), "CANCEL");
    }

    function testFuzz_TaskPostedRoundTrips(uint256 taskId, Messages.Schedule memory s) public view {
        (uint256 id, Messages.Schedule memory back) =
            m.decodeTaskPosted(Messages.encodeTaskPosted(taskId, s));
        vm.assertEq(m.kind(Messages.encodeTaskPosted(taskId, s)), 1, "kind");
        vm.assertEq(id, taskId, "taskId");
        vm.assertEq(keccak256(abi.encode(back)), keccak256(abi.encode(s)), "schedule round trips");
    }

    function testFuzz_WorkerSlashedRoundTrips(
        address worker,
        uint256 amount,
        uint256 taskId,
        uint16 round,
        bytes32 reason
    ) public view {
        bytes memory p = Messages.encodeWorkerSlashed(worker, amount, taskId, round, reason);
        (address w, uint256 a, uint256 t, uint16 r, bytes32 why) = m.decodeWorkerSlashed(p);
        vm.assertEq(m.kind(p), 3, "kind");
        vm.assertEq(
            keccak256(abi.encode(w, a, t, r, why)),
            keccak256(abi.encode(worker, amount, taskId, round, reason)),
            "fields"
        );
    }

    function testFuzz_RoundFinalizedRoundTrips(
        uint256 taskId,
        uint16 round,
        bytes32 root,
        uint64 weight,
        uint256 share
    ) public view {
        bytes memory p = Messages.encodeRoundFinalized(taskId, round, root, weight, share);
        (uint256 t, uint16 r, bytes32 x, uint64 w, uint256 s) = m.decodeRoundFinalized(p);
        vm.assertEq(m.kind(p), 4, "kind");
        vm.assertEq(
            keccak256(abi.encode(t, r, x, w, s)),
            keccak256(abi.encode(taskId, round, root, weight, share)),
            "fields"
        );
    }

    function testFuzz_RewardReturnedAndTaskCancelledRoundTrip(
        address recipient,
        uint256 amount,
        uint256 taskId
    ) public view {
        bytes memory q = Messages.encodeRewardReturned(recipient, amount);
        (address to, uint256 back) = m.decodeRewardReturned(q);
        vm.assertEq(m.kind(q), 5, "kind");
        vm.assertEq(uint160(to), uint160(recipient), "recipient");
        vm.assertEq(back, amount, "amount");
        bytes memory c = Messages.encodeTaskCancelled(taskId);
        vm.assertEq(m.kind(c), 2, "kind");
        vm.assertEq(m.decodeTaskCancelled(c), taskId, "cancel");
    }

    function test_KindOfAnOversizedWordIsUnknown() public view {
        vm.assertEq(m.kind(abi.encode(uint256(256))), 255, "not a kind");
    }

    function test_RevertIf_PayloadShorterThanAWord() public {
        vm.expectRevert(abi.encodeWithSelector(Messages.MessagesPayloadTooShort.selector, 31));
        m.kind(new bytes(31));
    }
}
