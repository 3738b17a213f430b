// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {Vm} from "./Vm.sol";

/// @title Test
/// @notice Minimal base for forge tests: the cheatcode handle and a fuzz-input helper. forge finds
///         tests by their `test*` / `invariant*` function names and fails a test when it reverts;
///         the `vm.assert*` cheatcodes revert with a readable message.
abstract contract Test {
    /// @dev address(uint160(uint256(keccak256("hevm cheat code")))), where forge serves cheatcodes.
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Maps any fuzzed `x` onto [min, max], keeping small values and the bounds reachable.
    /// @param x The fuzzed value.
    /// @param min The smallest value to return.
    /// @param max The largest value to return; must not be below `min`.
    /// @return result `x` itself when it already lies in [min, max], else min + x mod (max - min + 1).
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256 result) {
        require(min <= max, "Test.bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        // size + 1 cannot overflow (checked above) and min + (x % (size + 1)) <= max.
        unchecked {
            return min + (x % (size + 1));
        }
    }
}
