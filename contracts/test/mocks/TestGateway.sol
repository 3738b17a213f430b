// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarGateway
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";

/// @title TestGateway
/// @notice A real, minimal IAxelarGateway for tests: `callContract` records and emits the call;
///         approvals are made by the test (no signatures) with {approveContractCall}; a receiver's
///         `validateContractCall` consumes a matching approval once and marks the command executed.
///         A reverting execution rolls the consumption back, so the approval can be retried.
contract TestGateway is IAxelarGateway {
    /// @notice The command was already executed.
    error TestGatewayCommandExecuted(bytes32 commandId);

    /// @notice A call made through {callContract}.
    struct Call {
        address sender;
        string destinationChain;
        string destinationAddress;
        bytes payload;
    }

    Call[] private _calls;
    mapping(bytes32 approvalKey => bool) private _approved;
    mapping(bytes32 commandId => bool) private _executed;

    /// @notice Records and emits an outgoing call.
    function callContract(
        string calldata destinationChain,
        string calldata contractAddress,
        bytes calldata payload
    ) external {
        _calls.push(Call(msg.sender, destinationChain, contractAddress, payload));
        emit ContractCall(
            msg.sender, destinationChain, contractAddress, keccak256(payload), payload
        );
    }

    /// @notice Approves an incoming call (what guardians' signatures do on the real gateway).
    function approveContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) external {
        if (_executed[commandId]) {
            revert TestGatewayCommandExecuted(commandId);
        }
        _approved[_key(commandId, sourceChain, sourceAddress, contractAddress, payloadHash)] = true;
    }

    /// @notice Whether the call is approved and not yet consumed.
    function isContractCallApproved(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) external view returns (bool) {
        return _approved[_key(commandId, sourceChain, sourceAddress, contractAddress, payloadHash)];
    }

    /// @notice Consumes the caller's matching approval, once.
    function validateContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes32 payloadHash
    ) external returns (bool) {
        bytes32 key = _key(commandId, sourceChain, sourceAddress, msg.sender, payloadHash);
        if (!_approved[key]) return false;
        delete _approved[key];
        _executed[commandId] = true;
        return true;
    }

    /// @notice Whether the command was executed.
    function isCommandExecuted(bytes32 commandId) external view returns (bool) {
        return _executed[commandId];
    }

    /// @notice How many calls were made through this gateway.
    function callCount() external view returns (uint256) {
        return _calls.length;
    }

    /// @notice The `index`-th call.
    function callAt(uint256 index) external view returns (Call memory) {
        return _calls[index];
    }

    function _key(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) private pure returns (bytes32) {
        return keccak256(
            abi.encode(commandId, sourceChain, sourceAddress, contractAddress, payloadHash)
        );
    }
}
