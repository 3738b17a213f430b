// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {MerkleSha256} from "../src/libraries/MerkleSha256.sol";
import {Messages} from "../src/libraries/Messages.sol";
import {ProtocolFixture} from "./mocks/ProtocolFixture.sol";
import {TestGateway} from "./mocks/TestGateway.sol";

contract RewardVaultTest is ProtocolFixture {
    event log_named_uint(string key, uint256 val);

    address internal w1 = address(0x2001);
    address internal w2 = address(0x2002);
    bytes32[] internal leaves;
    uint256 internal constant TASK = 7;
    uint256 internal constant SHARE = 1000e18;

    function setUp() public {
        setUpProtocol();
        leaves.push(MerkleSha256.contributionLeaf(CHAIN_B, w1, bytes32("u1"), 300));
        leaves.push(MerkleSha256.contributionLeaf(CHAIN_B, w2, bytes32("u2"), 100));
        leaves.push(MerkleSha256.contributionLeaf(HOME, address(0x1001), bytes32("u3"), 600));
    }

    function _fund(bytes32 root, uint64 chainWeight, uint256 share, bytes32 commandId) internal {
        deliver(
            gwB,
            address(vaultB),
            HOME_NAME,
            address(coordinator),
            Messages.encodeRoundFinalized(TASK, 0, root, chainWeight, share),
            commandId
        );
    }

    function test_RoundFinalizedMessageRecordsGrant() public {
        _fund(merkleRoot(leaves), 400, SHARE, "f");
        RewardVault.Grant memory g = vaultB.grantOf(TASK, 0);
        vm.assertEq(g.contributionsRoot, merkleRoot(leaves), "root");
        vm.assertEq(g.chainWeight, 400, "weight");
        vm.assertEq(g.chainShare, SHARE, "share");
        vm.assertEq(vaultB.totalGranted(), SHARE, "granted");
    }

    function test_ClaimMintsShareByWeightOnce() public {
        _fund(merkleRoot(leaves), 400, SHARE, "f");
        bytes32[] memory proof = merkleProof(leaves, 0);
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 0, proof);
        vm.assertEq(vaultB.balanceOf(w1), SHARE * 300 / 400, "minted");
        vm.assertTrue(vaultB.isClaimed(TASK, 0, w1), "claimed");
        vm.expectRevert(
            abi.encodeWithSelector(
                RewardVault.RewardVaultAlreadyClaimed.selector, TASK, uint16(0), w1
            )
        );
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 0, proof);
    }

    /// @notice Not a budget of the issue; the vault claim is held to the home claim's 120,000.
    function test_ClaimAtTenThousandContributorsWithinGasBudget() public {
        bytes32 leaf = MerkleSha256.contributionLeaf(CHAIN_B, w1, bytes32("u1"), 300);
        (bytes32 root, bytes32[] memory proof) = syntheticProof(leaf, 9_999, 14);
        _fund(root, 3_000_000, SHARE, "f");
        pvm.cool(address(vaultB));
        uint256 used = gasleft();
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 9_999, proof);
        used -= gasleft();
        emit log_named_uint("claim gas on a vault, 10000 contributors", used);
        vm.assertLe(used, 120_000, "vault claim over budget");
        vm.assertEq(vaultB.balanceOf(w1), SHARE * 300 / 3_000_000, "minted");
    }

    function test_RevertIf_ClaimUnknownRound() public {
        bytes32[] memory proof = merkleProof(leaves, 0);
        vm.expectRevert(
            abi.encodeWithSelector(RewardVault.RewardVaultUnknownRound.selector, TASK, uint16(0))
        );
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 0, proof);
    }

    function test_RevertIf_ClaimWithBadProofOrOtherChainsLeaf() public {
        _fund(merkleRoot(leaves), 400, SHARE, "f");
        bytes32[] memory proof = merkleProof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultInvalidProof.selector));
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 301, 0, proof);
        bytes32[] memory homeProof = merkleProof(leaves, 2);
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultInvalidProof.selector));
        vaultB.claim(TASK, 0, address(0x1001), bytes32("u3"), 600, 2, homeProof);
    }

    function test_RevertIf_ClaimsOfAMalformedTreeExceedTheShare() public {
        // The message says chain B weighs 350, but its leaves weigh 400.
        _fund(merkleRoot(leaves), 350, SHARE, "f");
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 0, merkleProof(leaves, 0));
        bytes32[] memory proof = merkleProof(leaves, 1);
        vm.expectRevert(
            abi.encodeWithSelector(RewardVault.RewardVaultShareExceeded.selector, TASK, uint16(0))
        );
        vaultB.claim(TASK, 0, w2, bytes32("u2"), 100, 1, proof);
    }

    function test_ReturnToHomeBurnsAndSendsMessage() public {
        _fund(merkleRoot(leaves), 400, SHARE, "f");
        vaultB.claim(TASK, 0, w1, bytes32("u1"), 300, 0, merkleProof(leaves, 0));
        uint256 count = gwB.callCount();
        pvm.prank(w1);
        vaultB.returnToHome(100, address(0xFEED));
        vm.assertEq(vaultB.balanceOf(w1), SHARE * 300 / 400 - 100, "burned");
        TestGateway.Call memory call = gwB.callAt(count);
        vm.assertEq(bytes(call.destinationChain), bytes(HOME_NAME), "to home");
        vm.assertEq(
            bytes(call.destinationAddress),
            bytes(Strings.toHexString(address(coordinator))),
            "to coordinator"
        );
        vm.assertEq(call.payload, Messages.encodeRewardReturned(address(0xFEED), 100), "payload");
    }

    function test_RevertIf_ReturnToHomeZeroOrBeyondBalance() public {
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        vaultB.returnToHome(0, address(1));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        vaultB.returnToHome(1, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector, address(this), 0, 1
            )
        );
        vaultB.returnToHome(1, address(1));
    }

    function test_RevertIf_RoundFundedTwice() public {
        _fund(bytes32("r"), 1, 1, "f1");
        bytes memory payload = Messages.encodeRoundFinalized(TASK, 0, bytes32("r"), 1, 1);
        string memory from = Strings.toHexString(address(coordinator));
        gwB.approveContractCall(bytes32("f2"), HOME_NAME, from, address(vaultB), keccak256(payload));
        vm.expectRevert(
            abi.encodeWithSelector(RewardVault.RewardVaultDuplicateRound.selector, TASK, uint16(0))
        );
        vaultB.execute(bytes32("f2"), HOME_NAME, from, payload);
    }

    function test_RevertIf_RoundFundedWithZeroRootOrWeight() public {
        string memory from = Strings.toHexString(address(coordinator));
        bytes memory payload = Messages.encodeRoundFinalized(TASK, 0, bytes32(0), 1, 1);
        gwB.approveContractCall(bytes32("f"), HOME_NAME, from, address(vaultB), keccak256(payload));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        vaultB.execute(bytes32("f"), HOME_NAME, from, payload);
        payload = Messages.encodeRoundFinalized(TASK, 0, bytes32("r"), 0, 1);
        gwB.approveContractCall(bytes32("g"), HOME_NAME, from, address(vaultB), keccak256(payload));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        vaultB.execute(bytes32("g"), HOME_NAME, from, payload);
    }

    function test_RevertIf_MessageFromUntrustedSourceOrOfUnknownKind() public {
        bytes memory payload = Messages.encodeRoundFinalized(TASK, 0, bytes32("r"), 1, 1);
        string memory stranger = Strings.toHexString(address(0xBAD));
        gwB.approveContractCall(
            bytes32("a"), HOME_NAME, stranger, address(vaultB), keccak256(payload)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                RewardVault.RewardVaultUntrustedSource.selector, HOME_NAME, stranger
            )
        );
        vaultB.execute(bytes32("a"), HOME_NAME, stranger, payload);
        string memory from = Strings.toHexString(address(coordinator));
        gwB.approveContractCall(bytes32("b"), C_NAME, from, address(vaultB), keccak256(payload));
        vm.expectRevert(
            abi.encodeWithSelector(RewardVault.RewardVaultUntrustedSource.selector, C_NAME, from)
        );
        vaultB.execute(bytes32("b"), C_NAME, from, payload);
        bytes memory odd = Messages.encodeTaskCancelled(1);
        gwB.approveContractCall(bytes32("c"), HOME_NAME, from, address(vaultB), keccak256(odd));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultUnknownMessage.selector, 2));
        vaultB.execute(bytes32("c"), HOME_NAME, from, odd);
    }

    function test_RevertIf_MessageNotApproved() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        vaultB.execute(bytes32("x"), HOME_NAME, "0x00", hex"");
    }

    function test_RevertIf_PayloadTooShort() public {
        string memory from = Strings.toHexString(address(coordinator));
        gwB.approveContractCall(bytes32("s"), HOME_NAME, from, address(vaultB), keccak256(hex"01"));
        vm.expectRevert(abi.encodeWithSelector(Messages.MessagesPayloadTooShort.selector, 1));
        vaultB.execute(bytes32("s"), HOME_NAME, from, hex"01");
    }

    function test_RevertIf_ConstructedWithZeroArguments() public {
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        new RewardVault(address(gwB), 0, HOME_NAME, address(coordinator));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        new RewardVault(address(gwB), CHAIN_B, "", address(coordinator));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.RewardVaultZeroArgument.selector));
        new RewardVault(address(gwB), CHAIN_B, HOME_NAME, address(0));
    }

    function test_GettersReportConfiguration() public view {
        vm.assertEq(vaultB.localChainId(), CHAIN_B, "chain");
        (string memory home, address coord) = vaultB.trustedSource();
        vm.assertEq(bytes(home), bytes(HOME_NAME), "home");
        pvm.assertEq(coord, address(coordinator), "coordinator");
        vm.assertEq(bytes(vaultB.symbol()), bytes("wTRN"), "symbol");
    }
}
