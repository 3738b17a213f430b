// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IGateway} from "../interfaces/IGateway.sol";

/// @title Gateway
/// @notice Tributary's devnet gateway, one per chain (DESIGN.md decision 6). Outgoing calls are
///         events (`ContractCall`, exactly as Axelar's gateway emits them); guardians watch them,
///         sign an EIP-712 approval for the destination gateway, and any relayer submits the
///         signatures with `approveContractCall`. The receiver, an `AxelarExecutable`, then consumes
///         the approval with `validateContractCall` inside its own `execute`: if its execution
///         reverts, the consumption reverts with it and the call can be retried.
/// @dev Command states follow Axelar's gateway: 0 = unknown, a message hash = approved (waiting),
///      1 = executed. Guardian membership is kept per epoch, so a rotation never has to clear the
///      old set. Digests are specified in contracts/GATEWAY.md.
contract Gateway is IGateway, EIP712 {
    /// @notice Largest guardian set; bounds the signature loop and the rotation's storage writes.
    uint256 public constant MAX_GUARDIANS = 32;

    /// @dev EIP-712 type of an approval. Strings are hashed (keccak256 of their UTF-8 bytes).
    bytes32 private constant CONTRACT_CALL_APPROVAL_TYPEHASH = keccak256(
        "ContractCallApproval(bytes32 commandId,string sourceChain,string sourceAddress,"
        "string destinationChain,address destinationAddress,bytes32 payloadHash)"
    );

    /// @dev EIP-712 type of a rotation; `epoch` is the epoch of the signing (current) set.
    bytes32 private constant GUARDIAN_ROTATION_TYPEHASH =
        keccak256("GuardianRotation(address[] newGuardians,uint256 newThreshold,uint256 epoch)");

    /// @dev State of a command once its receiver consumed it.
    bytes32 private constant COMMAND_EXECUTED = bytes32(uint256(1));

    /// @dev keccak256 of the chain name, the `destinationChain` of every approval signed for us.
    bytes32 private immutable _chainNameHash;

    string private _chainName;

    /// @dev Epoch and threshold of the current set, packed into one slot (both read per approval).
    uint128 private _epoch;
    uint128 private _threshold;

    address[] private _guardians;

    mapping(uint256 epoch => mapping(address account => bool)) private _isGuardianAt;

    /// @dev commandId => 0 (unknown), message hash (approved) or COMMAND_EXECUTED.
    mapping(bytes32 commandId => bytes32 state) private _commands;

    /// @param chainName_ This chain's name, as other chains address it ("home", "arbitrum-local", ...).
    /// @param guardians_ The first guardian set (epoch 1).
    /// @param threshold_ Signatures it needs, in [1, guardians_.length].
    constructor(string memory chainName_, address[] memory guardians_, uint256 threshold_)
        EIP712("Tributary Gateway", "1")
    {
        if (bytes(chainName_).length == 0) revert GatewayEmptyChainName();
        _chainName = chainName_;
        _chainNameHash = keccak256(bytes(chainName_));
        _setGuardians(guardians_, threshold_, 1);
    }

    // ------------------------------------------------------------------ outgoing

    /// @notice Sends `payload` to `destinationContractAddress` on `destinationChain`: emits
    ///         `ContractCall`, which the guardians pick up and get approved on the destination.
    function callContract(
        string calldata destinationChain,
        string calldata destinationContractAddress,
        bytes calldata payload
    ) external {
        if (bytes(destinationChain).length == 0 || bytes(destinationContractAddress).length == 0) {
            revert GatewayEmptyDestination();
        }
        emit ContractCall(
            msg.sender, destinationChain, destinationContractAddress, keccak256(payload), payload
        );
    }

    // ------------------------------------------------------------------ incoming

    /// @inheritdoc IGateway
    function approveContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash,
        bytes[] calldata signatures
    ) external {
        if (_commands[commandId] != bytes32(0)) {
            revert GatewayCommandAlreadyApproved(commandId);
        }
        _checkSignatures(
            _contractCallDigest(
                commandId, sourceChain, sourceAddress, contractAddress, payloadHash
            ),
            signatures
        );
        _commands[commandId] =
            _messageHash(commandId, sourceChain, sourceAddress, contractAddress, payloadHash);
        emit ContractCallApproved(
            commandId, sourceChain, sourceAddress, contractAddress, payloadHash
        );
    }

    /// @notice Called by a receiver (the caller is the destination): true exactly once for an
    ///         approved call matching these arguments, which it then marks executed; false
    ///         otherwise (unknown, mismatching, or already executed). Never reverts.
    function validateContractCall(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes32 payloadHash
    ) external returns (bool valid) {
        valid = _commands[commandId]
            == _messageHash(commandId, sourceChain, sourceAddress, msg.sender, payloadHash);
        if (valid) {
            _commands[commandId] = COMMAND_EXECUTED;
            emit ContractCallExecuted(commandId);
        }
    }

    /// @notice Whether the call is approved and still waiting to be executed by `contractAddress`.
    function isContractCallApproved(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) external view returns (bool) {
        return _commands[commandId]
            == _messageHash(commandId, sourceChain, sourceAddress, contractAddress, payloadHash);
    }

    /// @notice Axelar's meaning: whether the gateway processed the command, i.e. the call was
    ///         approved (whether or not the receiver has executed it since). See
    ///         `isContractCallExecuted` for the receiver's side.
    function isCommandExecuted(bytes32 commandId) external view returns (bool) {
        return _commands[commandId] != bytes32(0);
    }

    /// @inheritdoc IGateway
    function isContractCallExecuted(bytes32 commandId) external view returns (bool) {
        return _commands[commandId] == COMMAND_EXECUTED;
    }

    // ------------------------------------------------------------------ guardians

    /// @inheritdoc IGateway
    function rotateGuardians(
        address[] calldata newGuardians,
        uint256 newThreshold,
        bytes[] calldata signatures
    ) external {
        uint256 currentEpoch = _epoch;
        _checkSignatures(
            _guardianRotationDigest(newGuardians, newThreshold, currentEpoch), signatures
        );
        // An epoch is a counter of rotations; it cannot come near 2**128.
        unchecked {
            _setGuardians(newGuardians, newThreshold, currentEpoch + 1);
        }
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IGateway
    function chainName() external view returns (string memory) {
        return _chainName;
    }

    /// @inheritdoc IGateway
    function guardians() external view returns (address[] memory) {
        return _guardians;
    }

    /// @inheritdoc IGateway
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @inheritdoc IGateway
    function epoch() external view returns (uint256) {
        return _epoch;
    }

    /// @inheritdoc IGateway
    function isGuardian(address account) external view returns (bool) {
        return _isGuardianAt[_epoch][account];
    }

    /// @inheritdoc IGateway
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IGateway
    function contractCallDigest(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) external view returns (bytes32) {
        return _contractCallDigest(
            commandId, sourceChain, sourceAddress, contractAddress, payloadHash
        );
    }

    /// @inheritdoc IGateway
    function guardianRotationDigest(
        address[] calldata newGuardians,
        uint256 newThreshold,
        uint256 epoch_
    ) external view returns (bytes32) {
        return _guardianRotationDigest(newGuardians, newThreshold, epoch_);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts unless `signatures` holds at least `threshold` signatures of `digest` by
    ///      distinct current guardians, sorted by signer address, strictly ascending. Every given
    ///      signature must be valid, also beyond the threshold.
    function _checkSignatures(bytes32 digest, bytes[] calldata signatures) private view {
        uint256 currentThreshold = _threshold;
        uint256 count = signatures.length;
        if (count < currentThreshold) revert GatewayTooFewSignatures(count, currentThreshold);
        mapping(address => bool) storage current = _isGuardianAt[_epoch];
        address previous;
        for (uint256 i; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) =
                ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert GatewayInvalidSignature(i);
            if (signer <= previous) revert GatewaySignersNotAscending(i);
            if (!current[signer]) revert GatewaySignerNotGuardian(signer);
            previous = signer;
        }
    }

    /// @dev Checks and installs a guardian set as `newEpoch`.
    function _setGuardians(address[] memory newGuardians, uint256 newThreshold, uint256 newEpoch)
        private
    {
        uint256 count = newGuardians.length;
        if (count == 0 || count > MAX_GUARDIANS) revert GatewayInvalidGuardianCount(count);
        if (newThreshold == 0 || newThreshold > count) {
            revert GatewayInvalidThreshold(newThreshold, count);
        }
        mapping(address => bool) storage members = _isGuardianAt[newEpoch];
        for (uint256 i; i < count; ++i) {
            address guardian = newGuardians[i];
            if (guardian == address(0)) revert GatewayZeroGuardian(i);
            if (members[guardian]) revert GatewayDuplicateGuardian(guardian);
            members[guardian] = true;
        }
        _guardians = newGuardians;
        // casting to 'uint128' is safe because newEpoch counts rotations (one per transaction)
        // forge-lint: disable-next-line(unsafe-typecast)
        _epoch = uint128(newEpoch);
        // casting to 'uint128' is safe because newThreshold <= count <= MAX_GUARDIANS (checked above)
        // forge-lint: disable-next-line(unsafe-typecast)
        _threshold = uint128(newThreshold);
        emit GuardiansRotated(newEpoch, newGuardians, newThreshold);
    }

    function _contractCallDigest(
        bytes32 commandId,
        string calldata sourceChain,
        string calldata sourceAddress,
        address contractAddress,
        bytes32 payloadHash
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CONTRACT_CALL_APPROVAL_TYPEHASH,
                    commandId,
                    keccak256(bytes(sourceChain)),
                    keccak256(bytes(sourceAddress)),
                    _chainNameHash,
                    contractAddress,
                    payloadHash
                )
            )
        );
    }

    function _guardianRotationDigest(
        address[] calldata newGuardians,
        uint256 newThreshold,
        uint256 epoch_
    ) private view returns (bytes32) {
        // EIP-712 encodes an array as keccak256 of its elements' 32-byte encodings, which is what
        // abi.encodePacked does with an address[] (each element padded to 32 bytes).
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    GUARDIAN_ROTATION_TYPEHASH,
                    keccak256(abi.encodePacked(newGuardians)),
                    newThreshold,
                    epoch_
                )
            )
        );
    }

    /// @dev What an approval stores and a validation compares: binds every field of the call, so
    ///      a receiver cannot consume a call meant for another receiver or with another payload.
    function _messageHash(
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
