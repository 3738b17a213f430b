// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Vm} from "../utils/Vm.sol";

/// @title ProtocolVm
/// @notice The further forge cheatcodes that the protocol tests use (accounts, time, balances,
///         signatures, logs), on top of the shared {Vm} subset. Same address as `vm`.
interface ProtocolVm is Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 newTimestamp) external;
    function deal(address account, uint256 newBalance) external;
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest)
        external
        pure
        returns (uint8 v, bytes32 r, bytes32 s);
    function expectRevert() external;
    function cool(address target) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function assertEq(address left, address right, string calldata error) external pure;
    function assertEq(bool left, bool right, string calldata error) external pure;
    function assertNotEq(bytes32 left, bytes32 right, string calldata error) external pure;
    function assertGt(uint256 left, uint256 right, string calldata error) external pure;
    function assertApproxEqRel(
        uint256 left,
        uint256 right,
        uint256 maxPercentDelta,
        string calldata error
    ) external pure;
}
