// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {Gateway} from "../../src/gateway/Gateway.sol";
import {IGateway} from "../../src/interfaces/IGateway.sol";
import {GatewayTestReceiver} from "../mocks/GatewayTestReceiver.sol";
import {Vm} from "../utils/Vm.sol";

/// @title GatewaySignatures
/// @notice Guardian signatures as a relayer submits them: one 65-byte (r, s, v) signature per key,
///         sorted by signer address, strictly ascending.
library GatewaySignatures {
    Vm private constant VM = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Signs `digest` with every key, in ascending order of the keys' addresses.
    function sign(uint256[] memory keys, bytes32 digest)
        internal
        pure
        returns (bytes[] memory signatures)
    {
        uint256[] memory sorted = sortByAddress(keys);
        signatures = new bytes[](sorted.length);
        for (uint256 i; i < sorted.length; ++i) {
            signatures[i] = signOne(sorted[i], digest);
        }
    }

    /// @notice One signature in the gateway's (r, s, v) layout.
    function signOne(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @notice A copy of `keys`, sorted by the addresses they control (insertion sort: sets are small).
    function sortByAddress(uint256[] memory keys) internal pure returns (uint256[] memory sorted) {
        sorted = new uint256[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            uint256 key = keys[i];
            address keyAddress = VM.addr(key);
            uint256 j = i;
            while (j > 0 && VM.addr(sorted[j - 1]) > keyAddress) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = key;
        }
    }

    /// @notice The addresses of `keys`, in the same order.
    function addresses(uint256[] memory keys) internal pure returns (address[] memory result) {
        result = new address[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            result[i] = VM.addr(keys[i]);
        }
    }
}

/// @title GatewayHandler
/// @notice Drives a Gateway and a receiver through random sequences of approvals, executions
///         (some failing, some with a tampered payload) and guardian rotations, keeping ghost
///         records of what must have happened. It asserts each step's expected outcome itself
///         (forge's `fail_on_revert` turns a failed assertion into a failed invariant run); the
///         invariants in GatewayInvariantTest compare the ghosts with the contracts' state.
contract GatewayHandler {
    /// @notice Commands the handler draws from (a small pool, so that repeats are frequent).
    uint256 public constant COMMANDS = 12;

    /// @notice Keys that guardian sets are drawn from.
    uint256 public constant KEY_POOL = 6;

    string public constant SOURCE_CHAIN = "home";
    string public constant SOURCE_ADDRESS = "0x00000000000000000000000000000000000c0de0";

    Gateway private immutable _gateway;
    GatewayTestReceiver private immutable _receiver;

    uint256[] private _guardianKeys;

    mapping(bytes32 commandId => bool) private _ghostApproved;
    mapping(bytes32 commandId => bytes) private _ghostPayload;
    mapping(bytes32 commandId => uint256) private _ghostExecutions;

    uint256 public ghostApprovals;
    uint256 public ghostExecutions;
    uint256 public ghostRejectedReapprovals;
    uint256 public ghostFailedExecutions;
    uint256 public ghostRejectedExecutions;
    uint256 public ghostRotations;

    /// @notice Deploys a gateway guarded 2-of-3 by the first three pool keys, and a receiver.
    constructor() {
        for (uint256 i; i < 3; ++i) {
            _guardianKeys.push(poolKey(i));
        }
        _gateway = new Gateway("arbitrum-local", GatewaySignatures.addresses(_guardianKeys), 2);
        _receiver = new GatewayTestReceiver(address(_gateway));
    }

    /// @notice The gateway under test.
    function gateway() external view returns (Gateway) {
        return _gateway;
    }

    /// @notice The receiver under test.
    function receiver() external view returns (GatewayTestReceiver) {
        return _receiver;
    }

    /// @notice The key of pool member `index` (private keys 0xA0.., far from 0 and the curve order).
    function poolKey(uint256 index) public pure returns (uint256) {
        return uint256(keccak256(abi.encode("gateway guardian", index))) >> 8;
    }

    /// @notice Id of pool command `index`.
    function commandId(uint256 index) public pure returns (bytes32) {
        return keccak256(abi.encode("gateway command", index));
    }

    /// @notice Whether the handler approved `id`.
    function ghostApproved(bytes32 id) external view returns (bool) {
        return _ghostApproved[id];
    }

    /// @notice How often the handler saw `id` executed.
    function ghostExecutionsOf(bytes32 id) external view returns (uint256) {
        return _ghostExecutions[id];
    }

    /// @notice Relays an approval of command `commandSeed` signed by a threshold of the current
    ///         guardians; a second approval of the same command must be rejected.
    function approve(uint256 commandSeed, uint256 signerSeed, bytes calldata payload) external {
        bytes32 id = commandId(commandSeed % COMMANDS);
        bytes32 payloadHash = keccak256(payload);
        bytes[] memory signatures = GatewaySignatures.sign(
            _thresholdKeys(signerSeed),
            _gateway.contractCallDigest(
                id, SOURCE_CHAIN, SOURCE_ADDRESS, address(_receiver), payloadHash
            )
        );
        if (_ghostApproved[id]) {
            try _gateway.approveContractCall(
                id, SOURCE_CHAIN, SOURCE_ADDRESS, address(_receiver), payloadHash, signatures
            ) {
                revert("handler: a command was approved twice");
            } catch (bytes memory reason) {
                _requireError(reason, IGateway.GatewayCommandAlreadyApproved.selector);
            }
            ++ghostRejectedReapprovals;
            return;
        }
        _gateway.approveContractCall(
            id, SOURCE_CHAIN, SOURCE_ADDRESS, address(_receiver), payloadHash, signatures
        );
        _ghostApproved[id] = true;
        _ghostPayload[id] = payload;
        ++ghostApprovals;
    }

    /// @notice Executes command `commandSeed` on the receiver, which may be broken, possibly with
    ///         a payload other than the approved one. It must run exactly when it is approved, not
    ///         yet executed, the receiver works and the payload is the approved one.
    function execute(uint256 commandSeed, bool broken, bool tamper) external {
        bytes32 id = commandId(commandSeed % COMMANDS);
        bytes memory payload = tamper ? abi.encode("tampered", id) : _ghostPayload[id];
        bool payloadApproved =
            _ghostApproved[id] && keccak256(payload) == keccak256(_ghostPayload[id]);
        bool shouldRun = payloadApproved && _ghostExecutions[id] == 0 && !broken;
        _receiver.setBroken(broken);
        try _receiver.execute(id, SOURCE_CHAIN, SOURCE_ADDRESS, payload) {
            require(shouldRun, "handler: a call ran that must not run");
            ++_ghostExecutions[id];
            ++ghostExecutions;
        } catch (bytes memory reason) {
            require(!shouldRun, "handler: an approved call did not run");
            if (payloadApproved && _ghostExecutions[id] == 0) {
                _requireError(reason, GatewayTestReceiver.GatewayTestReceiverBroken.selector);
                ++ghostFailedExecutions;
            } else {
                _requireError(reason, IAxelarExecutable.NotApprovedByGateway.selector);
                ++ghostRejectedExecutions;
            }
        }
        _receiver.setBroken(false);
    }

    /// @notice Rotates to a random non-empty subset of the key pool with a random threshold,
    ///         signed by a threshold of the current guardians.
    function rotate(uint256 memberMask, uint256 thresholdSeed, uint256 signerSeed) external {
        memberMask = memberMask % 2 ** KEY_POOL;
        if (memberMask == 0) memberMask = 1;
        uint256 count;
        for (uint256 i; i < KEY_POOL; ++i) {
            if ((memberMask >> i) & 1 == 1) ++count;
        }
        uint256[] memory keys = new uint256[](count);
        uint256 next;
        for (uint256 i; i < KEY_POOL; ++i) {
            if ((memberMask >> i) & 1 == 1) keys[next++] = poolKey(i);
        }
        uint256 newThreshold = 1 + thresholdSeed % count;
        address[] memory newGuardians = GatewaySignatures.addresses(keys);
        bytes[] memory signatures = GatewaySignatures.sign(
            _thresholdKeys(signerSeed),
            _gateway.guardianRotationDigest(newGuardians, newThreshold, _gateway.epoch())
        );
        _gateway.rotateGuardians(newGuardians, newThreshold, signatures);
        _guardianKeys = keys;
        ++ghostRotations;
    }

    /// @dev `threshold()` of the current guardians' keys, starting at a seed-chosen member.
    function _thresholdKeys(uint256 seed) private view returns (uint256[] memory keys) {
        uint256 count = _guardianKeys.length;
        keys = new uint256[](_gateway.threshold());
        for (uint256 i; i < keys.length; ++i) {
            keys[i] = _guardianKeys[(seed % count + i) % count];
        }
    }

    function _requireError(bytes memory reason, bytes4 selector) private pure {
        require(reason.length >= 4, "handler: error without selector");
        // casting to 'bytes4' is safe because it takes the selector, the first 4 bytes, on purpose
        // forge-lint: disable-next-line(unsafe-typecast)
        require(bytes4(reason) == selector, "handler: unexpected error");
    }
}
