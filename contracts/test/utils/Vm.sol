// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Vm
/// @notice The subset of forge's cheatcodes that Tributary's tests use. forge-std is not on the npm
///         registry (only an unofficial, outdated copy), so the tests carry this small interface; the
///         signatures are forge's, and the cheatcode address is fixed by forge.
interface Vm {
    // Fuzzing and reverts.
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;

    // Files and JSON (reads are limited by `fs_permissions` in foundry.toml).
    function projectRoot() external view returns (string memory path);
    function readFile(string calldata path) external view returns (string memory data);
    function keyExistsJson(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonUint(string calldata json, string calldata key)
        external
        pure
        returns (uint256);
    function parseJsonAddress(string calldata json, string calldata key)
        external
        pure
        returns (address);
    function parseJsonBytes(string calldata json, string calldata key)
        external
        pure
        returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key)
        external
        pure
        returns (bytes32);
    function parseJsonBytes32Array(string calldata json, string calldata key)
        external
        pure
        returns (bytes32[] memory);

    // Assertions: each reverts with a message naming both sides when it fails.
    function assertTrue(bool condition, string calldata error) external pure;
    function assertFalse(bool condition, string calldata error) external pure;
    function assertEq(uint256 left, uint256 right, string calldata error) external pure;
    function assertEq(bytes32 left, bytes32 right, string calldata error) external pure;
    function assertEq(bytes calldata left, bytes calldata right, string calldata error)
        external
        pure;
    function assertLe(uint256 left, uint256 right, string calldata error) external pure;

    // Strings.
    function toString(uint256 value) external pure returns (string memory);

    // Keys, signatures, callers, chain id and events (used by the gateway tests).
    function addr(uint256 privateKey) external pure returns (address keyAddr);
    function sign(uint256 privateKey, bytes32 digest)
        external
        pure
        returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address msgSender) external;
    function cool(address target) external;
    function chainId(uint256 newChainId) external;
    function expectEmit() external;
    function expectEmit(address emitter) external;
    function assertEq(address left, address right, string calldata error) external pure;
    function assertEq(string calldata left, string calldata right, string calldata error)
        external
        pure;
}
