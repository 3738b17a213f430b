// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    AxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/executable/AxelarExecutable.sol";

/// @title GatewayTestReceiver
/// @notice A receiver written against the Axelar SDK only (it knows nothing of Tributary's
///         Gateway): counts executions per command and can be switched to fail, so tests can show
///         that a failed execution leaves the approval in place for a retry.
contract GatewayTestReceiver is AxelarExecutable {
    /// @notice The receiver was switched to fail.
    error GatewayTestReceiverBroken();

    /// @notice A call was executed.
    event Executed(
        bytes32 indexed commandId, string sourceChain, string sourceAddress, bytes payload
    );

    bool private _broken;
    uint256 private _totalExecutions;
    mapping(bytes32 commandId => uint256) private _executions;
    bytes private _lastPayload;

    constructor(address gateway_) AxelarExecutable(gateway_) {}

    /// @notice Makes every following execution revert (`broken`) or succeed again.
    function setBroken(bool broken) external {
        _broken = broken;
    }

    /// @notice How often `commandId` was executed.
    function executions(bytes32 commandId) external view returns (uint256) {
        return _executions[commandId];
    }

    /// @notice Executions of all commands together.
    function totalExecutions() external view returns (uint256) {
        return _totalExecutions;
    }

    /// @notice Payload of the last execution.
    function lastPayload() external view returns (bytes memory) {
        return _lastPayload;
    }

    function _execute(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) internal override {
        if (_broken) revert GatewayTestReceiverBroken();
        ++_executions[commandId];
        ++_totalExecutions;
        _lastPayload = payload;
        emit Executed(commandId, sourceChain, sourceAddress, payload);
    }
}
