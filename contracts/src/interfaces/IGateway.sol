// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarGateway
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";

/// @title IGateway
/// @notice Tributary's own cross-chain gateway: the Axelar GMP gateway interface (so receivers that
///         extend the SDK's `AxelarExecutable` run unchanged against it and against a real Axelar
///         gateway), plus approval of calls on m-of-n guardian signatures and guardian rotation.
///         The signed digests are specified in `contracts/GATEWAY.md`.
interface IGateway is IAxelarGateway {
    // ------------------------------------------------------------------ errors

    /// @notice The constructor got an empty chain name.
    error GatewayEmptyChainName();

    /// @notice `callContract` got an empty destination chain or destination address.
    error GatewayEmptyDestination();

    /// @notice The command was approved before (it may since have been executed).
    error GatewayCommandAlreadyApproved(bytes32 commandId);

    /// @notice Fewer signatures than the current threshold were given.
    error GatewayTooFewSignatures(uint256 given, uint256 threshold);

    /// @notice Signature `index` is malformed (not 65 bytes, high `s`, bad `v`) or recovers nobody.
    error GatewayInvalidSignature(uint256 index);

    /// @notice The signer of signature `index` is not above the previous one: signatures must come
    ///         sorted by signer address, strictly ascending (which also rules out duplicates).
    error GatewaySignersNotAscending(uint256 index);

    /// @notice A signature recovered to an address that is not in the current guardian set (this
    ///         is also what a signature over other data, e.g. another payload, looks like).
    error GatewaySignerNotGuardian(address signer);

    /// @notice A guardian set must have between 1 and `MAX_GUARDIANS` members.
    error GatewayInvalidGuardianCount(uint256 count);

    /// @notice A threshold must lie in [1, number of guardians].
    error GatewayInvalidThreshold(uint256 threshold, uint256 guardians);

    /// @notice The guardian at `index` is the zero address.
    error GatewayZeroGuardian(uint256 index);

    /// @notice `guardian` appears more than once in a guardian set.
    error GatewayDuplicateGuardian(address guardian);

    // ------------------------------------------------------------------ events

    /// @notice A call to `contractAddress` on this chain was approved by the guardians; it can now
    ///         be executed (once) by calling the receiver's `execute`.
    event ContractCallApproved(
        bytes32 indexed commandId,
        string sourceChain,
        string sourceAddress,
        address indexed contractAddress,
        bytes32 indexed payloadHash
    );

    /// @notice The approved call `commandId` was consumed by its receiver (`validateContractCall`).
    event ContractCallExecuted(bytes32 indexed commandId);

    /// @notice A guardian set took over at `epoch` (epoch 1 is the set given to the constructor).
    event GuardiansRotated(uint256 indexed epoch, address[] guardians, uint256 threshold);

    // ------------------------------------------------------------------ state-changing

    /// @notice Approves one incoming call on the signatures of at least `threshold()` current
    ///         guardians over its EIP-712 `ContractCallApproval` digest (see `contractCallDigest`).
    ///         Anyone may submit; each command id is approved at most once.
    /// @param commandId Unique id of the message (see GATEWAY.md for how guardians derive it).
    /// @param sourceChain Name of the chain the call came from.
    /// @param sourceAddress Sender on the source chain, as the source gateway's event gave it.
    /// @param contractAddress Receiver on this chain.
    /// @param payloadHash keccak256 of the payload.
    /// @param signatures 65-byte (r, s, v) signatures, sorted by signer address, strictly ascending.
    function approveContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash,
        bytes[] calldata signatures
    ) external;

    /// @notice Replaces the guardian set on the signatures of at least `threshold()` current
    ///         guardians over the EIP-712 `GuardianRotation` digest of the current `epoch()`.
    /// @param newGuardians The new set, no zero address, no duplicate, 1 to `MAX_GUARDIANS` members.
    /// @param newThreshold Signatures the new set needs, in [1, newGuardians.length].
    /// @param signatures 65-byte signatures of current guardians, sorted by signer, ascending.
    function rotateGuardians(
        address[] calldata newGuardians,
        uint256 newThreshold,
        bytes[] calldata signatures
    ) external;

    // ------------------------------------------------------------------ views

    /// @notice Name of this gateway's chain: the destination chain that approvals are signed for.
    function chainName() external view returns (string memory);

    /// @notice The current guardian set, in the order it was given.
    function guardians() external view returns (address[] memory);

    /// @notice Signatures needed by the current guardian set.
    function threshold() external view returns (uint256);

    /// @notice Epoch of the current guardian set (1 for the constructor's, +1 per rotation).
    function epoch() external view returns (uint256);

    /// @notice Whether `account` belongs to the current guardian set.
    function isGuardian(address account) external view returns (bool);

    /// @notice Whether the approved call `commandId` was consumed by its receiver.
    function isContractCallExecuted(bytes32 commandId) external view returns (bool);

    /// @notice The EIP-712 domain separator (name "Tributary Gateway", version "1", chain id, this).
    function domainSeparator() external view returns (bytes32);

    /// @notice The digest guardians sign to approve a call to this gateway's chain.
    function contractCallDigest(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) external view returns (bytes32);

    /// @notice The digest the guardians of `epoch_` sign to hand over to a new set.
    function guardianRotationDigest(
        address[] calldata newGuardians,
        uint256 newThreshold,
        uint256 epoch_
    ) external view returns (bytes32);
}
