// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarGateway
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarGateway.sol";
import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {Gateway} from "../src/gateway/Gateway.sol";
import {IGateway} from "../src/interfaces/IGateway.sol";
import {GatewayHandler, GatewaySignatures} from "./handlers/GatewayHandler.sol";
import {GatewayTestReceiver} from "./mocks/GatewayTestReceiver.sol";
import {Test} from "./utils/Test.sol";

/// @notice The EIP-712 digests of GATEWAY.md, written out from the type strings (independently of
///         Gateway.sol), so the tests check the contract against the specification.
abstract contract GatewayDigests {
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant APPROVAL_TYPEHASH = keccak256(
        "ContractCallApproval(bytes32 commandId,string sourceChain,string sourceAddress,string destinationChain,address destinationAddress,bytes32 payloadHash)"
    );
    bytes32 internal constant ROTATION_TYPEHASH =
        keccak256("GuardianRotation(address[] newGuardians,uint256 newThreshold,uint256 epoch)");

    /// @dev Every field that an approval signature binds.
    struct Call {
        uint256 chainId;
        address gateway;
        string destinationChain;
        bytes32 commandId;
        string sourceChain;
        string sourceAddress;
        address destinationAddress;
        bytes32 payloadHash;
    }

    function _domainSeparator(uint256 chainId, address gateway) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256("Tributary Gateway"), keccak256("1"), chainId, gateway
            )
        );
    }

    function _approvalDigest(Call memory call) internal pure returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                APPROVAL_TYPEHASH,
                call.commandId,
                keccak256(bytes(call.sourceChain)),
                keccak256(bytes(call.sourceAddress)),
                keccak256(bytes(call.destinationChain)),
                call.destinationAddress,
                call.payloadHash
            )
        );
        return keccak256(
            abi.encodePacked(hex"1901", _domainSeparator(call.chainId, call.gateway), structHash)
        );
    }

    function _rotationDigest(
        uint256 chainId,
        address gateway,
        address[] memory newGuardians,
        uint256 newThreshold,
        uint256 epoch
    ) internal pure returns (bytes32) {
        bytes memory members;
        for (uint256 i; i < newGuardians.length; ++i) {
            members = abi.encodePacked(members, bytes32(uint256(uint160(newGuardians[i]))));
        }
        bytes32 structHash =
            keccak256(abi.encode(ROTATION_TYPEHASH, keccak256(members), newThreshold, epoch));
        return
            keccak256(abi.encodePacked(hex"1901", _domainSeparator(chainId, gateway), structHash));
    }
}

contract GatewayTest is Test, GatewayDigests {
    /// @dev Execution gas allowed for a 2-of-3 approval (two ecrecovers, two cold guardian
    ///      look-ups, one new slot, the event) measured around the external call; calldata and the
    ///      21,000 base cost of a transaction come on top.
    uint256 internal constant APPROVE_2_OF_3_GAS_BUDGET = 50_000;

    /// @dev Execution gas allowed for validating (consuming) an approved call.
    uint256 internal constant VALIDATE_GAS_BUDGET = 10_000;

    uint256 internal constant SECP256K1_ORDER =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    string internal constant CHAIN = "arbitrum-local";
    string internal constant SOURCE_CHAIN = "home";
    string internal constant SOURCE_ADDRESS = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    bytes32 internal constant COMMAND = keccak256("command 1");
    bytes internal constant PAYLOAD = abi.encode(uint256(7), "round 3 final");

    /// @dev ds-test's logging event, which forge prints with -vv.
    event log_named_uint(string key, uint256 val);

    Gateway internal gateway;
    GatewayTestReceiver internal receiver;
    uint256[] internal keys;

    function setUp() public {
        keys = _guardianKeys(3);
        gateway = new Gateway(CHAIN, GatewaySignatures.addresses(keys), 2);
        receiver = new GatewayTestReceiver(address(gateway));
    }

    // ---------------------------------------------------------------- constructor and views

    function test_ConstructorInstallsFirstGuardianSet() public view {
        address[] memory expected = GatewaySignatures.addresses(keys);
        address[] memory actual = gateway.guardians();
        vm.assertEq(actual.length, 3, "guardian count");
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(actual[i], expected[i], "guardian");
            vm.assertTrue(gateway.isGuardian(expected[i]), "isGuardian");
        }
        vm.assertFalse(gateway.isGuardian(address(this)), "stranger is no guardian");
        vm.assertEq(gateway.threshold(), 2, "threshold");
        vm.assertEq(gateway.epoch(), 1, "epoch");
        vm.assertEq(gateway.chainName(), CHAIN, "chain name");
    }

    function test_ConstructorEmitsGuardiansRotated() public {
        address[] memory members = GatewaySignatures.addresses(_guardianKeys(2));
        vm.expectEmit();
        emit IGateway.GuardiansRotated(1, members, 1);
        new Gateway(CHAIN, members, 1);
    }

    function test_RevertIf_ConstructorChainNameEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayEmptyChainName.selector));
        new Gateway("", GatewaySignatures.addresses(keys), 2);
    }

    function test_RevertIf_ConstructorGuardianSetEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayInvalidGuardianCount.selector, 0));
        new Gateway(CHAIN, new address[](0), 1);
    }

    function test_RevertIf_ConstructorGuardianSetTooLarge() public {
        address[] memory members = GatewaySignatures.addresses(_guardianKeys(33));
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayInvalidGuardianCount.selector, 33));
        new Gateway(CHAIN, members, 17);
    }

    function test_ConstructorAcceptsLargestGuardianSet() public {
        Gateway large = new Gateway(CHAIN, GatewaySignatures.addresses(_guardianKeys(32)), 32);
        vm.assertEq(large.guardians().length, large.MAX_GUARDIANS(), "largest set");
    }

    function test_RevertIf_ConstructorThresholdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayInvalidThreshold.selector, 0, 3));
        new Gateway(CHAIN, GatewaySignatures.addresses(keys), 0);
    }

    function test_RevertIf_ConstructorThresholdAboveGuardianCount() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayInvalidThreshold.selector, 4, 3));
        new Gateway(CHAIN, GatewaySignatures.addresses(keys), 4);
    }

    function test_RevertIf_ConstructorGuardianZero() public {
        address[] memory members = GatewaySignatures.addresses(keys);
        members[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayZeroGuardian.selector, 1));
        new Gateway(CHAIN, members, 2);
    }

    function test_RevertIf_ConstructorGuardianDuplicated() public {
        address[] memory members = GatewaySignatures.addresses(keys);
        members[2] = members[0];
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewayDuplicateGuardian.selector, members[0])
        );
        new Gateway(CHAIN, members, 2);
    }

    function test_DomainSeparatorFollowsEip712() public view {
        vm.assertEq(
            gateway.domainSeparator(),
            _domainSeparator(block.chainid, address(gateway)),
            "domain separator"
        );
        (
            ,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,,
        ) = gateway.eip712Domain();
        vm.assertEq(name, "Tributary Gateway", "EIP-712 name");
        vm.assertEq(version, "1", "EIP-712 version");
        vm.assertEq(chainId, block.chainid, "EIP-712 chainId");
        vm.assertEq(verifyingContract, address(gateway), "EIP-712 verifyingContract");
    }

    function test_ContractCallDigestFollowsGatewayMd() public view {
        vm.assertEq(
            gateway.contractCallDigest(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD)
            ),
            _approvalDigest(_call()),
            "approval digest"
        );
    }

    function test_GuardianRotationDigestFollowsGatewayMd() public view {
        address[] memory members = GatewaySignatures.addresses(_guardianKeys(4));
        vm.assertEq(
            gateway.guardianRotationDigest(members, 3, 1),
            _rotationDigest(block.chainid, address(gateway), members, 3, 1),
            "rotation digest"
        );
    }

    // ---------------------------------------------------------------- callContract

    function test_CallContractEmitsContractCall() public {
        bytes memory payload = hex"c0ffee";
        vm.expectEmit(address(gateway));
        emit IAxelarGateway.ContractCall(
            address(this), "home", "0xabc", keccak256(payload), payload
        );
        gateway.callContract("home", "0xabc", payload);
    }

    function test_RevertIf_CallContractDestinationChainEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayEmptyDestination.selector));
        gateway.callContract("", "0xabc", hex"01");
    }

    function test_RevertIf_CallContractDestinationAddressEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayEmptyDestination.selector));
        gateway.callContract("home", "", hex"01");
    }

    // ---------------------------------------------------------------- approveContractCall

    function test_ApproveContractCallWithTwoOfThree() public {
        bytes32 payloadHash = keccak256(PAYLOAD);
        bytes[] memory signatures = _signCall(_twoOfThree());
        vm.expectEmit(address(gateway));
        emit IGateway.ContractCallApproved(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash
        );
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash, signatures
        );
        vm.assertTrue(
            gateway.isContractCallApproved(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash
            ),
            "approved"
        );
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "command processed");
        vm.assertFalse(gateway.isContractCallExecuted(COMMAND), "not yet executed");
    }

    function test_ApproveContractCallWithAllGuardians() public {
        _approve(keys);
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "approved with 3 of 3");
    }

    function test_ApproveContractCallFromAnySender() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        vm.prank(address(0xbeef));
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD), signatures
        );
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "approved via another relayer");
    }

    function test_RevertIf_ApproveCommandAlreadyApproved() public {
        _approve(_twoOfThree());
        bytes[] memory signatures = _signCall(_twoOfThree());
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewayCommandAlreadyApproved.selector, COMMAND)
        );
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD), signatures
        );
    }

    function test_RevertIf_ApproveCommandAlreadyExecuted() public {
        _approve(_twoOfThree());
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        bytes[] memory signatures = _signCall(_twoOfThree());
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewayCommandAlreadyApproved.selector, COMMAND)
        );
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD), signatures
        );
    }

    function test_RevertIf_ApproveTooFewSignatures() public {
        uint256[] memory one = new uint256[](1);
        one[0] = keys[0];
        bytes[] memory signatures = _signCall(one);
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayTooFewSignatures.selector, 1, 2));
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD), signatures
        );
    }

    function test_RevertIf_ApproveSignatureShort() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        signatures[1] = _slice(signatures[1], 64);
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewayInvalidSignature.selector, 1)
        );
    }

    function test_RevertIf_ApproveSignatureHasHighS() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        (bytes32 r, bytes32 s, uint8 v) = _split(signatures[0]);
        // The same signature in its malleable twin form: (r, n - s, v flipped).
        signatures[0] =
            abi.encodePacked(r, bytes32(SECP256K1_ORDER - uint256(s)), v == 27 ? 28 : 27);
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewayInvalidSignature.selector, 0)
        );
    }

    function test_RevertIf_ApproveSignatureHasBadV() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        (bytes32 r, bytes32 s,) = _split(signatures[1]);
        signatures[1] = abi.encodePacked(r, s, uint8(29));
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewayInvalidSignature.selector, 1)
        );
    }

    function test_RevertIf_ApproveSignersDescending() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        (signatures[0], signatures[1]) = (signatures[1], signatures[0]);
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewaySignersNotAscending.selector, 1)
        );
    }

    function test_RevertIf_ApproveSignatureDuplicated() public {
        bytes[] memory signatures = _signCall(_twoOfThree());
        signatures[1] = signatures[0];
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewaySignersNotAscending.selector, 1)
        );
    }

    function test_RevertIf_ApproveSignerNotGuardian() public {
        uint256 stranger = 0xdead;
        uint256[] memory signers = new uint256[](2);
        (signers[0], signers[1]) = (keys[0], stranger);
        _expectApproveRevert(
            _signCall(signers),
            abi.encodeWithSelector(IGateway.GatewaySignerNotGuardian.selector, vm.addr(stranger))
        );
    }

    function test_RevertIf_ApproveSignedByRotatedOutGuardians() public {
        uint256[] memory newKeys = _guardianKeys(5);
        uint256[] memory newSet = new uint256[](2);
        (newSet[0], newSet[1]) = (newKeys[3], newKeys[4]);
        _rotate(newSet, 2, _twoOfThree());
        bytes[] memory signatures = _signCall(_twoOfThree());
        address first = vm.addr(GatewaySignatures.sortByAddress(_twoOfThree())[0]);
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewaySignerNotGuardian.selector, first)
        );
    }

    // ---------------------------------------------------------------- validateContractCall

    function test_ValidateContractCallReturnsTrueOnceForTheApprovedCall() public {
        _approve(_twoOfThree());
        bytes32 payloadHash = keccak256(PAYLOAD);
        vm.prank(address(receiver));
        vm.expectEmit(address(gateway));
        emit IGateway.ContractCallExecuted(COMMAND);
        bool first =
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, payloadHash);
        vm.prank(address(receiver));
        bool second =
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, payloadHash);
        vm.assertTrue(first, "first validation");
        vm.assertFalse(second, "second validation");
        vm.assertTrue(gateway.isContractCallExecuted(COMMAND), "executed");
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "command processed");
        vm.assertFalse(
            gateway.isContractCallApproved(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash
            ),
            "no longer waiting"
        );
    }

    function test_ValidateContractCallReturnsFalseForUnknownCommand() public {
        vm.prank(address(receiver));
        vm.assertFalse(
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, keccak256(PAYLOAD)),
            "unknown command"
        );
        vm.assertFalse(gateway.isCommandExecuted(COMMAND), "still unknown");
    }

    function test_ValidateContractCallReturnsFalseForAnotherCaller() public {
        _approve(_twoOfThree());
        vm.prank(address(0xbad));
        vm.assertFalse(
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, keccak256(PAYLOAD)),
            "call meant for another receiver"
        );
        vm.assertFalse(gateway.isContractCallExecuted(COMMAND), "not consumed");
    }

    function test_ValidateContractCallReturnsFalseForAnotherPayloadOrSource() public {
        _approve(_twoOfThree());
        vm.prank(address(receiver));
        vm.assertFalse(
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, keccak256("x")),
            "other payload"
        );
        vm.prank(address(receiver));
        vm.assertFalse(
            gateway.validateContractCall(
                COMMAND, "avalanche-local", SOURCE_ADDRESS, keccak256(PAYLOAD)
            ),
            "other source chain"
        );
        vm.prank(address(receiver));
        vm.assertFalse(
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, "0x01", keccak256(PAYLOAD)),
            "other source address"
        );
        vm.assertTrue(
            gateway.isContractCallApproved(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD)
            ),
            "still approved"
        );
    }

    // ---------------------------------------------------------------- a receiver (AxelarExecutable)

    function test_ReceiverExecutesApprovedCall() public {
        _approve(_twoOfThree());
        vm.expectEmit(address(receiver));
        emit GatewayTestReceiver.Executed(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        vm.assertEq(receiver.executions(COMMAND), 1, "executed once");
        vm.assertEq(receiver.lastPayload(), PAYLOAD, "payload delivered");
        vm.assertTrue(gateway.isContractCallExecuted(COMMAND), "consumed");
    }

    function test_ReceiverRetriesAfterFailedExecution() public {
        _approve(_twoOfThree());
        receiver.setBroken(true);
        vm.expectRevert(
            abi.encodeWithSelector(GatewayTestReceiver.GatewayTestReceiverBroken.selector)
        );
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        vm.assertTrue(
            gateway.isContractCallApproved(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD)
            ),
            "approval survives the failed execution"
        );
        receiver.setBroken(false);
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        vm.assertEq(receiver.executions(COMMAND), 1, "executed on retry");
    }

    function test_RevertIf_ReceiverExecutesTwice() public {
        _approve(_twoOfThree());
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
    }

    function test_RevertIf_ReceiverExecutesUnapprovedCall() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, PAYLOAD);
    }

    function test_RevertIf_ReceiverExecutesAnotherPayload() public {
        _approve(_twoOfThree());
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        receiver.execute(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, hex"00");
    }

    // ---------------------------------------------------------------- rotateGuardians

    function test_RotateGuardians() public {
        uint256[] memory newKeys = _guardianKeys(5);
        uint256[] memory newSet = new uint256[](3);
        (newSet[0], newSet[1], newSet[2]) = (newKeys[2], newKeys[3], newKeys[4]);
        address[] memory members = GatewaySignatures.addresses(newSet);
        bytes[] memory signatures =
            GatewaySignatures.sign(_twoOfThree(), gateway.guardianRotationDigest(members, 3, 1));
        vm.expectEmit(address(gateway));
        emit IGateway.GuardiansRotated(2, members, 3);
        gateway.rotateGuardians(members, 3, signatures);

        vm.assertEq(gateway.epoch(), 2, "epoch");
        vm.assertEq(gateway.threshold(), 3, "threshold");
        vm.assertEq(gateway.guardians().length, 3, "guardian count");
        vm.assertFalse(gateway.isGuardian(vm.addr(keys[0])), "rotated out");
        vm.assertTrue(gateway.isGuardian(vm.addr(keys[2])), "stayed");
        vm.assertTrue(gateway.isGuardian(vm.addr(newKeys[4])), "joined");
        _approve(newSet);
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "new set approves");
    }

    function test_RotateGuardiansToSmallerSet() public {
        uint256[] memory one = new uint256[](1);
        one[0] = keys[1];
        _rotate(one, 1, _twoOfThree());
        vm.assertEq(gateway.guardians().length, 1, "one guardian left");
        vm.assertEq(gateway.guardians()[0], vm.addr(keys[1]), "the remaining guardian");
        _approve(one);
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "1-of-1 approves");
    }

    function test_RevertIf_RotationReplayed() public {
        // A -> B -> A, then the first rotation's signatures (by A, over epoch 1) again: A is the
        // current set at epoch 3, so only the epoch keeps the old signatures from counting.
        uint256[] memory other = _guardianKeys(5);
        uint256[] memory setB = new uint256[](2);
        (setB[0], setB[1]) = (other[3], other[4]);
        address[] memory membersB = GatewaySignatures.addresses(setB);
        bytes32 firstDigest = gateway.guardianRotationDigest(membersB, 2, 1);
        bytes[] memory firstSignatures = GatewaySignatures.sign(_twoOfThree(), firstDigest);
        gateway.rotateGuardians(membersB, 2, firstSignatures);
        _rotate(keys, 2, setB);
        vm.assertEq(gateway.epoch(), 3, "epoch");

        bytes32 replayDigest = gateway.guardianRotationDigest(membersB, 2, 3);
        (bytes32 r, bytes32 s, uint8 v) = _split(firstSignatures[0]);
        address recovered = ecrecover(replayDigest, v, r, s);
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewaySignerNotGuardian.selector, recovered)
        );
        gateway.rotateGuardians(membersB, 2, firstSignatures);
    }

    function test_RevertIf_RotationTooFewSignatures() public {
        address[] memory members = GatewaySignatures.addresses(_guardianKeys(2));
        uint256[] memory one = new uint256[](1);
        one[0] = keys[2];
        bytes[] memory signatures =
            GatewaySignatures.sign(one, gateway.guardianRotationDigest(members, 1, 1));
        vm.expectRevert(abi.encodeWithSelector(IGateway.GatewayTooFewSignatures.selector, 1, 2));
        gateway.rotateGuardians(members, 1, signatures);
    }

    function test_RevertIf_RotationSignedForAnotherThreshold() public {
        address[] memory members = GatewaySignatures.addresses(keys);
        bytes[] memory signatures =
            GatewaySignatures.sign(_twoOfThree(), gateway.guardianRotationDigest(members, 1, 1));
        (bytes32 r, bytes32 s, uint8 v) = _split(signatures[0]);
        address recovered = ecrecover(gateway.guardianRotationDigest(members, 3, 1), v, r, s);
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewaySignerNotGuardian.selector, recovered)
        );
        gateway.rotateGuardians(members, 3, signatures);
    }

    function test_RevertIf_RotationGuardianSetEmpty() public {
        _expectRotateRevert(
            new address[](0),
            1,
            abi.encodeWithSelector(IGateway.GatewayInvalidGuardianCount.selector, 0)
        );
    }

    function test_RevertIf_RotationGuardianSetTooLarge() public {
        _expectRotateRevert(
            GatewaySignatures.addresses(_guardianKeys(33)),
            2,
            abi.encodeWithSelector(IGateway.GatewayInvalidGuardianCount.selector, 33)
        );
    }

    function test_RevertIf_RotationThresholdZero() public {
        _expectRotateRevert(
            GatewaySignatures.addresses(keys),
            0,
            abi.encodeWithSelector(IGateway.GatewayInvalidThreshold.selector, 0, 3)
        );
    }

    function test_RevertIf_RotationThresholdAboveGuardianCount() public {
        _expectRotateRevert(
            GatewaySignatures.addresses(keys),
            4,
            abi.encodeWithSelector(IGateway.GatewayInvalidThreshold.selector, 4, 3)
        );
    }

    function test_RevertIf_RotationGuardianZero() public {
        address[] memory members = GatewaySignatures.addresses(keys);
        members[0] = address(0);
        _expectRotateRevert(
            members, 2, abi.encodeWithSelector(IGateway.GatewayZeroGuardian.selector, 0)
        );
    }

    function test_RevertIf_RotationGuardianDuplicated() public {
        address[] memory members = GatewaySignatures.addresses(keys);
        members[1] = members[2];
        _expectRotateRevert(
            members,
            2,
            abi.encodeWithSelector(IGateway.GatewayDuplicateGuardian.selector, members[2])
        );
    }

    // ---------------------------------------------------------------- gas

    function test_ApproveTwoOfThreeAndValidateWithinGasBudget() public {
        bytes32 payloadHash = keccak256(PAYLOAD);
        bytes[] memory signatures = _signCall(_twoOfThree());
        // Each call is measured as its own transaction would see the gateway: account and slots cold.
        vm.cool(address(gateway));
        uint256 before = gasleft();
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash, signatures
        );
        uint256 approveGas = before - gasleft();
        vm.cool(address(gateway));
        vm.prank(address(receiver));
        before = gasleft();
        bool valid =
            gateway.validateContractCall(COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, payloadHash);
        uint256 validateGas = before - gasleft();
        vm.assertTrue(valid, "validated");
        emit log_named_uint("approveContractCall 2-of-3 gas", approveGas);
        emit log_named_uint("validateContractCall gas", validateGas);
        vm.assertLe(approveGas, APPROVE_2_OF_3_GAS_BUDGET, "approve gas budget");
        vm.assertLe(validateGas, VALIDATE_GAS_BUDGET, "validate gas budget");
    }

    // ---------------------------------------------------------------- fuzz: signature sets

    function testFuzz_ApproveAcceptsExactlySubsetsReachingThreshold(
        uint256 memberMask,
        uint256 thresholdSeed,
        bytes32 payloadHash
    ) public {
        uint256[] memory five = _guardianKeys(5);
        uint256 required = bound(thresholdSeed, 1, 5);
        Gateway five_ = new Gateway(CHAIN, GatewaySignatures.addresses(five), required);
        memberMask = bound(memberMask, 0, 31);
        uint256 count;
        for (uint256 i; i < 5; ++i) {
            if ((memberMask >> i) & 1 == 1) ++count;
        }
        uint256[] memory signers = new uint256[](count);
        uint256 next;
        for (uint256 i; i < 5; ++i) {
            if ((memberMask >> i) & 1 == 1) signers[next++] = five[i];
        }
        bytes[] memory signatures = GatewaySignatures.sign(
            signers,
            five_.contractCallDigest(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash
            )
        );
        if (count < required) {
            vm.expectRevert(
                abi.encodeWithSelector(IGateway.GatewayTooFewSignatures.selector, count, required)
            );
        }
        five_.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash, signatures
        );
        vm.assertEq(five_.isCommandExecuted(COMMAND) ? 1 : 0, count >= required ? 1 : 0, "outcome");
    }

    function testFuzz_RevertIf_SignatureDuplicated(uint256 which, uint256 at) public {
        bytes[] memory sorted = _signCall(keys);
        which = bound(which, 0, 2);
        at = bound(at, 0, 3);
        bytes[] memory signatures = new bytes[](4);
        for (uint256 i; i < 4; ++i) {
            if (i < at) signatures[i] = sorted[i];
            else if (i == at) signatures[i] = sorted[which];
            else signatures[i] = sorted[i - 1];
        }
        // The first signer not above its predecessor: the copy itself when it lands after the
        // original, else the signature right after the copy.
        uint256 firstBad = at <= which ? at + 1 : at;
        _expectApproveRevert(
            signatures,
            abi.encodeWithSelector(IGateway.GatewaySignersNotAscending.selector, firstBad)
        );
    }

    function testFuzz_RevertIf_SignaturesReordered(uint256 i, uint256 j) public {
        bytes[] memory signatures = _signCall(keys);
        i = bound(i, 0, 1);
        j = bound(j, i + 1, 2);
        (signatures[i], signatures[j]) = (signatures[j], signatures[i]);
        _expectApproveRevert(
            signatures, abi.encodeWithSelector(IGateway.GatewaySignersNotAscending.selector, i + 1)
        );
    }

    function testFuzz_RevertIf_SignerNotGuardian(uint256 strangerKey, uint256 guardian) public {
        strangerKey = bound(strangerKey, 1, SECP256K1_ORDER - 1);
        for (uint256 i; i < keys.length; ++i) {
            vm.assume(strangerKey != keys[i]);
        }
        uint256[] memory signers = new uint256[](2);
        (signers[0], signers[1]) = (keys[bound(guardian, 0, 2)], strangerKey);
        _expectApproveRevert(
            _signCall(signers),
            abi.encodeWithSelector(IGateway.GatewaySignerNotGuardian.selector, vm.addr(strangerKey))
        );
    }

    function testFuzz_RevertIf_BelowThreshold(uint256 thresholdSeed, uint256 countSeed) public {
        uint256[] memory five = _guardianKeys(5);
        uint256 required = bound(thresholdSeed, 1, 5);
        Gateway five_ = new Gateway(CHAIN, GatewaySignatures.addresses(five), required);
        uint256 count = bound(countSeed, 0, required - 1);
        uint256[] memory signers = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            signers[i] = five[i];
        }
        bytes32 payloadHash = keccak256(PAYLOAD);
        bytes[] memory signatures = GatewaySignatures.sign(
            signers,
            five_.contractCallDigest(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash
            )
        );
        vm.expectRevert(
            abi.encodeWithSelector(IGateway.GatewayTooFewSignatures.selector, count, required)
        );
        five_.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash, signatures
        );
    }

    /// @dev Guardians sign a call that differs from the submitted one in one field (another
    ///      destination chain, gateway, chain id, payload, command, source or receiver): the first
    ///      signature then recovers to an unrelated address, which is no guardian.
    function testFuzz_RevertIf_SignedForAnotherCall(uint256 field, bytes32 noise) public {
        Call memory submitted = _call();
        Call memory signed = _call();
        field = bound(field, 0, 7);
        if (field == 0) signed.destinationChain = string(abi.encodePacked("chain-", noise));
        else if (field == 1) signed.gateway = address(uint160(uint256(noise)));
        else if (field == 2) signed.chainId = uint256(noise);
        else if (field == 3) signed.payloadHash = noise;
        else if (field == 4) signed.commandId = noise;
        else if (field == 5) signed.sourceChain = string(abi.encodePacked(noise));
        else if (field == 6) signed.sourceAddress = string(abi.encodePacked(noise));
        else signed.destinationAddress = address(uint160(uint256(noise)));
        bytes32 signedDigest = _approvalDigest(signed);
        bytes32 submittedDigest = _approvalDigest(submitted);
        vm.assume(signedDigest != submittedDigest);
        vm.assertEq(
            submittedDigest,
            gateway.contractCallDigest(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD)
            ),
            "the contract's digest is the specified one"
        );

        bytes[] memory signatures = GatewaySignatures.sign(_twoOfThree(), signedDigest);
        (bytes32 r, bytes32 s, uint8 v) = _split(signatures[0]);
        _expectApproveRevert(
            signatures,
            abi.encodeWithSelector(
                IGateway.GatewaySignerNotGuardian.selector, ecrecover(submittedDigest, v, r, s)
            )
        );
    }

    /// @dev Any valid new set drawn from 8 keys (overlapping the current one or not) takes over:
    ///      it approves with its threshold, and old guardians stay only when chosen again.
    function testFuzz_RotateGuardiansHandsOverToAnyValidSet(
        uint256 memberMask,
        uint256 thresholdSeed
    ) public {
        uint256[] memory pool = _guardianKeys(8);
        memberMask = bound(memberMask, 1, 255);
        uint256 count;
        for (uint256 i; i < 8; ++i) {
            if ((memberMask >> i) & 1 == 1) ++count;
        }
        uint256[] memory newSet = new uint256[](count);
        uint256 next;
        for (uint256 i; i < 8; ++i) {
            if ((memberMask >> i) & 1 == 1) newSet[next++] = pool[i];
        }
        uint256 newThreshold = bound(thresholdSeed, 1, count);
        _rotate(newSet, newThreshold, _twoOfThree());
        vm.assertEq(gateway.epoch(), 2, "epoch");
        vm.assertEq(gateway.threshold(), newThreshold, "threshold");

        uint256[] memory signers = new uint256[](newThreshold);
        for (uint256 i; i < newThreshold; ++i) {
            signers[i] = newSet[i];
        }
        _approve(signers);
        vm.assertTrue(gateway.isCommandExecuted(COMMAND), "the new set approves");
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(
                gateway.isGuardian(vm.addr(keys[i])) ? 1 : 0,
                (memberMask >> i) & 1,
                "old guardians stay only when chosen again"
            );
        }
    }

    // ---------------------------------------------------------------- helpers

    function _guardianKeys(uint256 count) internal pure returns (uint256[] memory result) {
        result = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            result[i] = uint256(keccak256(abi.encode("gateway test guardian", i))) >> 8;
        }
    }

    function _twoOfThree() internal view returns (uint256[] memory signers) {
        signers = new uint256[](2);
        (signers[0], signers[1]) = (keys[0], keys[2]);
    }

    function _call() internal view returns (Call memory) {
        return Call({
            chainId: block.chainid,
            gateway: address(gateway),
            destinationChain: CHAIN,
            commandId: COMMAND,
            sourceChain: SOURCE_CHAIN,
            sourceAddress: SOURCE_ADDRESS,
            destinationAddress: address(receiver),
            payloadHash: keccak256(PAYLOAD)
        });
    }

    function _signCall(uint256[] memory signers) internal view returns (bytes[] memory) {
        return GatewaySignatures.sign(
            signers,
            gateway.contractCallDigest(
                COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), keccak256(PAYLOAD)
            )
        );
    }

    function _approve(uint256[] memory signers) internal {
        gateway.approveContractCall(
            COMMAND,
            SOURCE_CHAIN,
            SOURCE_ADDRESS,
            address(receiver),
            keccak256(PAYLOAD),
            _signCall(signers)
        );
    }

    function _expectApproveRevert(bytes[] memory signatures, bytes memory expected) internal {
        bytes32 payloadHash = keccak256(PAYLOAD);
        vm.expectRevert(expected);
        gateway.approveContractCall(
            COMMAND, SOURCE_CHAIN, SOURCE_ADDRESS, address(receiver), payloadHash, signatures
        );
    }

    function _rotate(uint256[] memory newKeys, uint256 newThreshold, uint256[] memory signers)
        internal
    {
        address[] memory members = GatewaySignatures.addresses(newKeys);
        gateway.rotateGuardians(
            members,
            newThreshold,
            GatewaySignatures.sign(
                signers, gateway.guardianRotationDigest(members, newThreshold, gateway.epoch())
            )
        );
    }

    /// @dev Signs a rotation with a threshold of the current set, so that only the set's checks fail.
    function _expectRotateRevert(
        address[] memory members,
        uint256 newThreshold,
        bytes memory expected
    ) internal {
        bytes[] memory signatures = GatewaySignatures.sign(
            _twoOfThree(), gateway.guardianRotationDigest(members, newThreshold, gateway.epoch())
        );
        vm.expectRevert(expected);
        gateway.rotateGuardians(members, newThreshold, signatures);
    }

    function _split(bytes memory signature) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
    }

    function _slice(bytes memory data, uint256 length) internal pure returns (bytes memory out) {
        out = new bytes(length);
        for (uint256 i; i < length; ++i) {
            out[i] = data[i];
        }
    }
}

contract GatewayInvariantTest is Test {
    GatewayHandler internal handler;
    Gateway internal gateway;
    GatewayTestReceiver internal receiver;

    function setUp() public {
        handler = new GatewayHandler();
        gateway = handler.gateway();
        receiver = handler.receiver();
    }

    /// @notice forge calls only the handler (this is forge-std's `targetContract`, spelled out).
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_EachMessageExecutesAtMostOnce() public view {
        for (uint256 i; i < handler.COMMANDS(); ++i) {
            bytes32 id = handler.commandId(i);
            uint256 executions = receiver.executions(id);
            vm.assertLe(executions, 1, "a message executed twice");
            vm.assertEq(executions, handler.ghostExecutionsOf(id), "executions seen by the handler");
            vm.assertEq(
                gateway.isContractCallExecuted(id) ? 1 : 0, executions, "gateway's executed state"
            );
            vm.assertEq(
                gateway.isCommandExecuted(id) ? 1 : 0,
                handler.ghostApproved(id) ? 1 : 0,
                "approved exactly the commands the handler approved"
            );
        }
    }

    function invariant_ExecutionsNeverExceedApprovals() public view {
        vm.assertEq(receiver.totalExecutions(), handler.ghostExecutions(), "total executions");
        vm.assertLe(handler.ghostExecutions(), handler.ghostApprovals(), "executions <= approvals");
        vm.assertEq(gateway.epoch(), 1 + handler.ghostRotations(), "one epoch per rotation");
    }
}

/// @notice The worked example of GATEWAY.md: fixed keys and inputs, and the digests and signatures
///         that a guardian (e.g. Java with web3j) must produce from them.
contract GatewayWorkedExampleTest is Test, GatewayDigests {
    /// @dev Where this test's first deployment lands: CREATE by forge's test contract
    ///      0x7FA9385bE102ac3EAc297483Dd6233D62b3e1496 at nonce 1.
    address internal constant GATEWAY = 0x5615dEB798BB3E4dFa0139dFa1b3D433Cc23b72f;
    uint256 internal constant CHAIN_ID = 31337;

    Gateway internal gateway;

    function setUp() public {
        vm.chainId(CHAIN_ID);
        address[] memory members = new address[](3);
        (members[0], members[1], members[2]) = (vm.addr(1), vm.addr(2), vm.addr(3));
        gateway = new Gateway("arbitrum-local", members, 2);
    }

    function _exampleCall() internal pure returns (Call memory) {
        return Call({
            chainId: CHAIN_ID,
            gateway: GATEWAY,
            destinationChain: "arbitrum-local",
            commandId: bytes32(uint256(1)),
            sourceChain: "home",
            sourceAddress: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            destinationAddress: 0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512,
            payloadHash: keccak256("hello tributary")
        });
    }

    function test_WorkedExampleApproval() public {
        vm.assertEq(address(gateway), GATEWAY, "gateway address");
        vm.assertEq(vm.addr(1), 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf, "address of key 1");
        vm.assertEq(vm.addr(2), 0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF, "address of key 2");
        vm.assertEq(
            gateway.domainSeparator(),
            0x769abd07814e2a14547cb559a81da9166fc12be5d1e5125ed602c394ca05d88f,
            "domain separator"
        );
        vm.assertEq(
            APPROVAL_TYPEHASH,
            0x64bdc6e89c8991ea91f08cef33710fbe184d500f5b1111709ba41d0b00c71436,
            "type hash"
        );
        Call memory call = _exampleCall();
        vm.assertEq(
            call.payloadHash,
            0xb7352f217b3c66b9341da2a0292232962896d7164d71e36387a85b37a9619628,
            "payload hash"
        );
        bytes32 digest = 0x20e2dc11556485925b78539fa4461fef873de759ebd6d6ba424cc3639d46ec1f;
        vm.assertEq(_approvalDigest(call), digest, "digest from the type strings");
        vm.assertEq(
            gateway.contractCallDigest(
                call.commandId,
                call.sourceChain,
                call.sourceAddress,
                call.destinationAddress,
                call.payloadHash
            ),
            digest,
            "digest from the contract"
        );

        bytes memory signature1 =
            hex"572b4001aef025cca86b02b9ad0c69fa352ea657599d88c7042b7a4dca3fe44b49b1e5f493ef0e18ae1a4faf38a0b7ca145a6654f8eb599e3f0801a52fcf9ff21c";
        bytes memory signature2 =
            hex"2dec38b2749cb2f0617e14d90dab21fb158c1aa10d22ddc9e9f8cbd4c36e272f261a6d70795d8d68e3c7a442970818b094de531cfba5ae4cdfa0f8d85323d70c1c";
        vm.assertEq(GatewaySignatures.signOne(1, digest), signature1, "RFC 6979 signature, key 1");
        vm.assertEq(GatewaySignatures.signOne(2, digest), signature2, "RFC 6979 signature, key 2");

        // Sorted by signer: key 2 (0x2B5A...) before key 1 (0x7E5F...).
        bytes[] memory signatures = new bytes[](2);
        (signatures[0], signatures[1]) = (signature2, signature1);
        gateway.approveContractCall(
            call.commandId,
            call.sourceChain,
            call.sourceAddress,
            call.destinationAddress,
            call.payloadHash,
            signatures
        );
        vm.assertTrue(
            gateway.isContractCallApproved(
                call.commandId,
                call.sourceChain,
                call.sourceAddress,
                call.destinationAddress,
                call.payloadHash
            ),
            "approved"
        );
    }

    function test_WorkedExampleRotation() public {
        address[] memory members = new address[](3);
        (members[0], members[1], members[2]) =
        (
            0x1efF47bc3a10a45D4B230B5d10E37751FE6AA718,
            0xe1AB8145F7E55DC933d51a18c793F901A3A0b276,
            0xE57bFE9F44b819898F47BF37E5AF72a0783e1141
        );
        for (uint256 i; i < 3; ++i) {
            vm.assertEq(vm.addr(4 + i), members[i], "address of keys 4, 5, 6");
        }
        vm.assertEq(vm.addr(3), 0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69, "address of key 3");
        vm.assertEq(
            ROTATION_TYPEHASH,
            0x1f405c00fec0ef34b28338bfe6e48a3ac651daa7f478c6cf4dbbcb75be8641d4,
            "type hash"
        );
        vm.assertEq(
            keccak256(abi.encodePacked(members)),
            0x909408a4f4991d588e4e13a5f3aa2eb29e50d3e440381d0a63265bce2510bc55,
            "hash of the member array"
        );
        bytes32 digest = 0x524a52a44178276103fa6d195265b6cc152b62c3c8a82130ab1f432a171b7b0a;
        vm.assertEq(
            _rotationDigest(CHAIN_ID, GATEWAY, members, 2, 1),
            digest,
            "digest from the type strings"
        );
        vm.assertEq(
            gateway.guardianRotationDigest(members, 2, 1), digest, "digest from the contract"
        );

        bytes memory signature1 =
            hex"abfa7fdd9bc9e9adb63871044a0fc20c710c556928ad0741fe581c3b9c5823325552af487f2abc2cafee56159bee22bfd032bddc2dd66e4cde62383d251dab561c";
        bytes memory signature3 =
            hex"ecd82184dc4931068e66b46734358d92c68c8f926feb72fd39ba1f895feb64a218db9b651610cc979e7b16d1bee23d5ff2025747cb5eaf91a9f900760d60e6a71c";
        vm.assertEq(GatewaySignatures.signOne(1, digest), signature1, "RFC 6979 signature, key 1");
        vm.assertEq(GatewaySignatures.signOne(3, digest), signature3, "RFC 6979 signature, key 3");

        // Sorted by signer: key 3 (0x6813...) before key 1 (0x7E5F...).
        bytes[] memory signatures = new bytes[](2);
        (signatures[0], signatures[1]) = (signature3, signature1);
        gateway.rotateGuardians(members, 2, signatures);
        vm.assertEq(gateway.epoch(), 2, "epoch after the rotation");
        vm.assertTrue(gateway.isGuardian(members[1]), "key 5 guards now");
    }
}
