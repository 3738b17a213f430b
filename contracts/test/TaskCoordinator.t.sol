// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {TaskCoordinator} from "../src/TaskCoordinator.sol";
import {TaskIntake} from "../src/TaskIntake.sol";
import {IModelRegistry} from "../src/interfaces/IModelRegistry.sol";
import {ITaskCoordinator} from "../src/interfaces/ITaskCoordinator.sol";
import {MerkleSha256} from "../src/libraries/MerkleSha256.sol";
import {Messages} from "../src/libraries/Messages.sol";
import {ProtocolFixture} from "./mocks/ProtocolFixture.sol";
import {ProtocolVm} from "./mocks/ProtocolVm.sol";

/// @notice An aggregator contract that refuses native currency.
contract RefusingAggregator {
    function bond(TaskCoordinator c) external payable {
        c.bondAggregator{value: msg.value}();
    }

    function unbond(TaskCoordinator c) external {
        c.requestAggregatorUnbond();
    }

    function withdraw(TaskCoordinator c) external {
        c.withdrawAggregatorBond();
    }
}

contract TaskCoordinatorTest is ProtocolFixture {
    /// @dev Gas allowed for commitRound and for a home claim at 10,000 contributors (execution
    ///      gas of the external call).
    uint256 internal constant COMMIT_ROUND_GAS_BUDGET = 100_000;
    uint256 internal constant CLAIM_GAS_BUDGET = 120_000;

    event log_named_uint(string key, uint256 val);

    event RoundCommitmentConflicted(
        uint256 indexed taskId,
        uint16 indexed round,
        address indexed aggregator,
        bytes32 modelRoot,
        bytes32 contributionsRoot
    );

    function setUp() public {
        setUpProtocol();
    }

    // ------------------------------------------------------------------ configuration

    function test_RevertIf_ConstructedWithoutToken() public {
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadChainConfig.selector)
        );
        new TaskCoordinator(address(gwHome), IERC20(address(0)), registry, HOME, owner, 1, 1);
    }

    function test_SetChainStoresConfig() public view {
        TaskCoordinator.ChainConfig memory c = coordinator.chainConfig(CHAIN_B);
        vm.assertEq(bytes(c.name), bytes(B_NAME), "name");
        pvm.assertEq(c.hub, address(hubB), "hub");
        pvm.assertEq(c.vault, address(vaultB), "vault");
    }

    function test_SetChainRenamesAChain() public {
        pvm.prank(owner);
        coordinator.setChain(CHAIN_B, "renamed-b", address(hubB), address(vaultB));
        pvm.prank(owner);
        // The old name is free again.
        coordinator.setChain(9, B_NAME, address(0x9), address(0x99));
        vm.assertEq(bytes(coordinator.chainConfig(9).name), bytes(B_NAME), "reused name");
    }

    function test_RevertIf_SetChainByStranger() public {
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        coordinator.setChain(5, "x", address(1), address(2));
    }

    function test_RevertIf_SetChainIncomplete() public {
        bytes memory err =
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadChainConfig.selector);
        pvm.startPrank(owner);
        vm.expectRevert(err);
        coordinator.setChain(0, "x", address(1), address(2));
        vm.expectRevert(err);
        coordinator.setChain(5, "", address(1), address(2));
        vm.expectRevert(err);
        coordinator.setChain(5, "x", address(0), address(2));
        vm.expectRevert(err);
        coordinator.setChain(5, "x", address(1), address(0)); // participant without vault
        vm.expectRevert(err);
        coordinator.setChain(HOME, HOME_NAME, address(1), address(2)); // home with a vault
        vm.expectRevert(err);
        coordinator.setChain(5, B_NAME, address(1), address(2)); // name of another chain
        pvm.stopPrank();
    }

    // ------------------------------------------------------------------ aggregator bonds

    function test_BondUnbondWithdraw() public {
        vm.assertEq(coordinator.bondOf(aggregator).amount, MIN_AGG_BOND, "bonded");
        pvm.prank(aggregator);
        coordinator.requestAggregatorUnbond();
        pvm.warp(block.timestamp + 1 days);
        uint256 before = aggregator.balance;
        pvm.prank(aggregator);
        coordinator.withdrawAggregatorBond();
        vm.assertEq(aggregator.balance - before, MIN_AGG_BOND, "returned");
        vm.assertEq(coordinator.bondOf(aggregator).amount, 0, "cleared");
    }

    function test_RevertIf_BondBelowMinimum() public {
        pvm.deal(address(this), 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorBondTooLow.selector, 1 ether, MIN_AGG_BOND
            )
        );
        coordinator.bondAggregator{value: 1 ether}();
    }

    function test_RevertIf_BondWhileUnbonding() public {
        pvm.prank(aggregator);
        coordinator.requestAggregatorUnbond();
        pvm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnbonding.selector, aggregator)
        );
        coordinator.bondAggregator{value: 1 ether}();
    }

    function test_RevertIf_UnbondWithoutBond() public {
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorNotBonded.selector, address(this))
        );
        coordinator.requestAggregatorUnbond();
    }

    function test_RevertIf_UnbondTwice() public {
        pvm.startPrank(aggregator);
        coordinator.requestAggregatorUnbond();
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnbonding.selector, aggregator)
        );
        coordinator.requestAggregatorUnbond();
        pvm.stopPrank();
    }

    function test_RevertIf_WithdrawBondWithoutUnbonding() public {
        pvm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorNotUnbonding.selector, aggregator)
        );
        coordinator.withdrawAggregatorBond();
    }

    function test_RevertIf_WithdrawBondEarly() public {
        pvm.prank(aggregator);
        coordinator.requestAggregatorUnbond();
        uint256 unlockAt = block.timestamp + 1 days;
        pvm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorStillLocked.selector, unlockAt)
        );
        coordinator.withdrawAggregatorBond();
    }

    function test_RevertIf_WithdrawBondToRefusingReceiver() public {
        RefusingAggregator a = new RefusingAggregator();
        pvm.deal(address(a), MIN_AGG_BOND);
        a.bond{value: MIN_AGG_BOND}(coordinator);
        a.unbond(coordinator);
        pvm.warp(block.timestamp + 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorTransferFailed.selector, address(a), MIN_AGG_BOND
            )
        );
        a.withdraw(coordinator);
    }

    // ------------------------------------------------------------------ postTask

    function test_PostTaskEscrowsBountyAndAnnouncesToEveryHub() public {
        uint256 before = token.balanceOf(client);
        uint256 taskId = postDefaultTask();
        vm.assertEq(taskId, 1, "id");
        vm.assertEq(token.balanceOf(address(coordinator)), BOUNTY, "escrow");
        vm.assertEq(before - token.balanceOf(client), BOUNTY, "client paid");
        (address c, TaskCoordinator.Status status, uint256 bounty, uint256 unallocated,) =
            coordinator.taskState(taskId);
        pvm.assertEq(c, client, "client");
        vm.assertTrue(status == TaskCoordinator.Status.Active, "active");
        vm.assertEq(bounty, BOUNTY, "bounty");
        vm.assertEq(unallocated, BOUNTY, "unallocated");
        vm.assertEq(hubHome.taskWindows(taskId).rounds, 2, "home hub knows");
        vm.assertEq(hubB.taskWindows(taskId).rounds, 2, "hub B knows");
        vm.assertEq(hubC.taskWindows(taskId).rounds, 2, "hub C knows");
        ITaskCoordinator.TaskSpec memory spec = coordinator.taskSpec(taskId);
        vm.assertEq(spec.chainIds.length, 3, "chains");
        vm.assertEq(spec.chainIds[2], CHAIN_C, "chain order");
        vm.assertEq(intake.hashTaskSpec(spec), intake.hashTaskSpec(defaultSpec()), "spec");
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Open, "open");
        vm.assertEq(coordinator.roundReward(taskId, 1), BOUNTY / 2, "round reward");
    }

    function test_LastRoundTakesTheRemainder() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.rounds = 3;
        uint256 taskId = postTask(spec, 100);
        vm.assertEq(coordinator.roundReward(taskId, 0), 33, "round 0");
        vm.assertEq(coordinator.roundReward(taskId, 2), 34, "last round");
    }

    function _expectPostRevert(ITaskCoordinator.TaskSpec memory spec, bytes memory err) internal {
        pvm.startPrank(client);
        token.approve(address(coordinator), BOUNTY);
        vm.expectRevert(err);
        coordinator.postTask(spec, BOUNTY);
        pvm.stopPrank();
    }

    function test_RevertIf_PostTaskForUnknownModel() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.modelId = 77;
        _expectPostRevert(
            spec,
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownModel.selector, uint64(77))
        );
    }

    function test_RevertIf_PostTaskWithBadSpec() public {
        bytes memory err = abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadSpec.selector);
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.rounds = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.rounds = 1001;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.minContributors = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.maxContributors = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.maxWeight = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.clipBound = 0;
        _expectPostRevert(spec, err);
    }

    function test_RevertIf_PostTaskWithBadSchedule() public {
        bytes memory err =
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadSchedule.selector);
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.commitWindow = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.revealWindow = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.aggregateWindow = 0;
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.roundPeriod = 599; // commit 300 + reveal 300
        _expectPostRevert(spec, err);
        spec = defaultSpec();
        spec.startTime = uint64(block.timestamp - 1);
        _expectPostRevert(spec, err);
    }

    function test_RevertIf_PostTaskWithBadRuleParameter() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.ruleParam = 1; // FedAvg takes none
        _expectPostRevert(spec, _ruleErr(ITaskCoordinator.AggregationRule.FedAvg, 1));
        spec.rule = ITaskCoordinator.AggregationRule.TrimmedMean;
        spec.ruleParam = 500;
        _expectPostRevert(spec, _ruleErr(ITaskCoordinator.AggregationRule.TrimmedMean, 500));
        spec.rule = ITaskCoordinator.AggregationRule.MultiKrum;
        spec.ruleParam = 2;
        spec.minContributors = 6; // needs n > 2f + 2 = 6
        _expectPostRevert(spec, _ruleErr(ITaskCoordinator.AggregationRule.MultiKrum, 2));
        spec.minContributors = 7;
        postTask(spec, BOUNTY);
    }

    function _ruleErr(ITaskCoordinator.AggregationRule rule, uint16 p)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadRule.selector, rule, p);
    }

    function test_RevertIf_PostTaskWithoutAccumulatorHeadroom() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.expMin = -20;
        spec.expMax = 20;
        _expectPostRevert(
            spec,
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorNoHeadroom.selector,
                int8(-20),
                int8(20),
                uint64(1_000_000),
                uint32(10_000)
            )
        );
    }

    function test_HeadroomIsExactAtTheBoundary() public view {
        // floor((2^63 - 1) / 127) = 72624976668147841: 127 times it is below 2^63, one more is not.
        vm.assertTrue(coordinator.hasHeadroom(0, 0, 72_624_976_668_147_841, 1), "at bound");
        vm.assertFalse(coordinator.hasHeadroom(0, 0, 72_624_976_668_147_842, 1), "above bound");
        // With a span of 10 the bound on maxWeight * maxContributors shrinks by 2^10.
        uint64 w = uint64(((uint256(1) << 63) - 1) / (127 << 10));
        vm.assertTrue(coordinator.hasHeadroom(-5, 5, w, 1), "span 10 at bound");
        vm.assertFalse(coordinator.hasHeadroom(-5, 5, w + 1, 1), "span 10 above bound");
        vm.assertFalse(coordinator.hasHeadroom(1, 0, 1, 1), "expMax < expMin");
        vm.assertFalse(coordinator.hasHeadroom(-63, 0, 1, 1), "span 63");
        vm.assertTrue(coordinator.hasHeadroom(-56, 0, 1, 1), "span 56: 127 * 2^56 < 2^63");
        vm.assertFalse(coordinator.hasHeadroom(-57, 0, 1, 1), "span 57: 127 * 2^57 > 2^63");
    }

    function test_RevertIf_PostTaskWithBadChains() public {
        bytes memory err = abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadChains.selector);
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.chainIds = new uint64[](0);
        _expectPostRevert(spec, err);
        spec.chainIds = new uint64[](5);
        _expectPostRevert(spec, err);
        spec.chainIds = new uint64[](2);
        spec.chainIds[0] = CHAIN_B;
        spec.chainIds[1] = CHAIN_B;
        _expectPostRevert(spec, err);
        spec.chainIds[1] = 42;
        _expectPostRevert(
            spec,
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownChain.selector, uint64(42))
        );
    }

    function test_RevertIf_PostTaskWithBadBounty() public {
        pvm.startPrank(client);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadBounty.selector, 1)
        );
        coordinator.postTask(defaultSpec(), 1); // below 2 rounds
        uint256 huge = uint256(type(uint128).max) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadBounty.selector, huge)
        );
        coordinator.postTask(defaultSpec(), huge);
        pvm.stopPrank();
    }

    function test_RevertIf_PostTaskUnderfunded() public {
        uint256 bounty = token.balanceOf(client) + 1;
        pvm.startPrank(client);
        token.approve(address(coordinator), bounty);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorUnderfunded.selector, bounty - 1, bounty
            )
        );
        coordinator.postTask(defaultSpec(), bounty);
        pvm.stopPrank();
    }

    function test_RevertIf_PostTaskWithoutAllowance() public {
        pvm.prank(client);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorInsufficientAllowance.selector, 0, BOUNTY
            )
        );
        coordinator.postTask(defaultSpec(), BOUNTY);
    }

    // ------------------------------------------------------------------ postTaskFor (EIP-712)

    function test_SetTaskIntakeIsOwnerOnly() public {
        vm.assertEq(coordinator.taskIntake(), address(intake), "wired");
        vm.assertEq(address(intake.coordinator()), address(coordinator), "intake's coordinator");
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        coordinator.setTaskIntake(address(0x1DEA));
        pvm.prank(owner);
        coordinator.setTaskIntake(address(0));
        vm.assertEq(coordinator.taskIntake(), address(0), "unset");
    }

    function test_RevertIf_PostTaskOnBehalfNotFromIntake() public {
        pvm.prank(client);
        token.approve(address(coordinator), BOUNTY);
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorNotTaskIntake.selector, address(this)
            )
        );
        coordinator.postTaskOnBehalf(client, spec, BOUNTY);
    }

    function test_RevertIf_PostTaskOnBehalfWithIntakeUnset() public {
        pvm.prank(owner);
        coordinator.setTaskIntake(address(0));
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        pvm.prank(address(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorNotTaskIntake.selector, address(0)
            )
        );
        coordinator.postTaskOnBehalf(client, spec, BOUNTY);
    }

    function test_RevertIf_TaskIntakeWithoutCoordinator() public {
        vm.expectRevert(abi.encodeWithSelector(TaskIntake.TaskIntakeNoCoordinator.selector));
        new TaskIntake(TaskCoordinator(address(0)));
    }

    string internal constant SPEC_TYPE = "TaskSpec(uint64 modelId,bytes32 datasetRoot,uint16 rounds,uint32 minContributors,"
        "uint32 maxContributors,uint64 maxWeight,uint64 startTime,uint32 roundPeriod,"
        "uint32 commitWindow,uint32 revealWindow,uint32 aggregateWindow,uint32 challengeWindow,"
        "uint64 clipBound,int8 expMin,int8 expMax,uint8 rule,uint16 ruleParam,uint64[] chainIds)";

    function _request(uint256 nonce) internal view returns (ITaskCoordinator.TaskRequest memory) {
        return ITaskCoordinator.TaskRequest({
            client: client,
            bounty: BOUNTY,
            nonce: nonce,
            deadline: block.timestamp + 60,
            spec: defaultSpec()
        });
    }

    /// @dev The EIP-712 digest computed here from the type strings, independently of the contract.
    function _digest(ITaskCoordinator.TaskRequest memory q) internal view returns (bytes32) {
        ITaskCoordinator.TaskSpec memory s = q.spec;
        bytes32 specHash = keccak256(
            bytes.concat(
                abi.encode(
                    keccak256(bytes(SPEC_TYPE)),
                    s.modelId,
                    s.datasetRoot,
                    s.rounds,
                    s.minContributors,
                    s.maxContributors,
                    s.maxWeight,
                    s.startTime,
                    s.roundPeriod
                ),
                abi.encode(
                    s.commitWindow,
                    s.revealWindow,
                    s.aggregateWindow,
                    s.challengeWindow,
                    s.clipBound,
                    s.expMin,
                    s.expMax,
                    uint8(s.rule),
                    s.ruleParam,
                    keccak256(abi.encodePacked(s.chainIds))
                )
            )
        );
        bytes32 requestHash = keccak256(
            abi.encode(
                keccak256(
                    bytes(
                        string.concat(
                            "TaskRequest(address client,uint256 bounty,uint256 nonce,"
                            "uint256 deadline,TaskSpec spec)",
                            SPEC_TYPE
                        )
                    )
                ),
                q.client,
                q.bounty,
                q.nonce,
                q.deadline,
                specHash
            )
        );
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("Tributary TaskIntake"),
                keccak256("1"),
                block.chainid,
                address(intake)
            )
        );
        return keccak256(abi.encodePacked(hex"1901", domain, requestHash));
    }

    function _permit(uint256 value) internal view returns (ITaskCoordinator.Permit memory p) {
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
                ),
                client,
                address(coordinator),
                value,
                token.nonces(client),
                block.timestamp + 60
            )
        );
        bytes32 digest =
            keccak256(abi.encodePacked(hex"1901", token.DOMAIN_SEPARATOR(), structHash));
        (p.v, p.r, p.s) = pvm.sign(clientKey, digest);
        p.value = value;
        p.deadline = block.timestamp + 60;
    }

    function _sign(ITaskCoordinator.TaskRequest memory q) internal view returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = pvm.sign(clientKey, _digest(q));
        return abi.encodePacked(r, s, v);
    }

    function test_HashTaskRequestMatchesTheEip712TypeStrings() public view {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        vm.assertEq(intake.hashTaskRequest(q), _digest(q), "digest");
        vm.assertEq(intake.TASK_SPEC_TYPEHASH(), keccak256(bytes(SPEC_TYPE)), "spec typehash");
    }

    function test_PostTaskForWithSignatureAndPermitFromRelayer() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        bytes memory sig = _sign(q);
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        pvm.prank(address(0x2E1A7));
        uint256 taskId = intake.postTaskFor(q, sig, p);
        (address c,,,,) = coordinator.taskState(taskId);
        pvm.assertEq(c, client, "client is the signer, not the relayer");
        vm.assertEq(token.balanceOf(address(coordinator)), BOUNTY, "escrowed");
        vm.assertEq(intake.nonceOf(client), 1, "nonce used");
    }

    function test_PostTaskForSucceedsWhenPermitWasFrontRun() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        bytes memory sig = _sign(q);
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        token.permit(client, address(coordinator), p.value, p.deadline, p.v, p.r, p.s);
        intake.postTaskFor(q, sig, p);
        vm.assertEq(token.balanceOf(address(coordinator)), BOUNTY, "escrowed");
    }

    function test_RevertIf_PostTaskForExpired() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        bytes memory sig = _sign(q);
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        pvm.warp(q.deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(TaskIntake.TaskIntakeRequestExpired.selector, q.deadline)
        );
        intake.postTaskFor(q, sig, p);
    }

    function test_RevertIf_PostTaskForReplayed() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        bytes memory sig = _sign(q);
        intake.postTaskFor(q, sig, _permit(BOUNTY));
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        vm.expectRevert(abi.encodeWithSelector(TaskIntake.TaskIntakeBadNonce.selector, 1, 0));
        intake.postTaskFor(q, sig, p);
    }

    function test_RevertIf_PostTaskForSignedByAnother() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        (uint8 v, bytes32 r, bytes32 s) = pvm.sign(0xBADBAD, _digest(q));
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskIntake.TaskIntakeBadSignature.selector, pvm.addr(0xBADBAD), client
            )
        );
        intake.postTaskFor(q, abi.encodePacked(r, s, v), p);
    }

    function test_RevertIf_PostTaskForWithTamperedSpec() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        bytes memory sig = _sign(q);
        q.spec.rounds = 3;
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        pvm.expectRevert();
        intake.postTaskFor(q, sig, p);
        vm.assertEq(coordinator.taskCount(), 0, "no task");
    }

    function test_RevertIf_PostTaskForWithMalformedSignature() public {
        ITaskCoordinator.TaskRequest memory q = _request(0);
        ITaskCoordinator.Permit memory p = _permit(BOUNTY);
        vm.expectRevert(
            abi.encodeWithSelector(TaskIntake.TaskIntakeBadSignature.selector, address(0), client)
        );
        intake.postTaskFor(q, hex"1234", p);
    }

    // ------------------------------------------------------------------ cancelTask

    function test_CancelTaskRefundsUncommittedRoundsAndTellsHubs() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        uint256 before = token.balanceOf(client);
        pvm.prank(client);
        coordinator.cancelTask(taskId);
        relayAll();
        vm.assertEq(token.balanceOf(client) - before, BOUNTY / 2, "round 1 refunded");
        vm.assertTrue(hubB.taskWindows(taskId).cancelled, "hub B told");
        vm.assertTrue(coordinator.roundPhase(taskId, 1) == ITaskCoordinator.Phase.Failed, "r1");
        vm.assertTrue(
            coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Challenging, "r0 goes on"
        );
        pvm.warp(block.timestamp + 100);
        coordinator.finalizeRound(taskId, 0);
        (,,, uint256 unallocated,) = coordinator.taskState(taskId);
        vm.assertEq(unallocated, 0, "all allocated");
    }

    function test_RevertIf_CancelTaskByStranger() public {
        uint256 taskId = postDefaultTask();
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorNotClient.selector, address(this))
        );
        coordinator.cancelTask(taskId);
    }

    function test_RevertIf_CancelTaskTwice() public {
        uint256 taskId = postDefaultTask();
        pvm.startPrank(client);
        coordinator.cancelTask(taskId);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorTaskNotActive.selector, taskId)
        );
        coordinator.cancelTask(taskId);
        pvm.stopPrank();
    }

    function test_RevertIf_CancelUnknownTask() public {
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownTask.selector, 5)
        );
        coordinator.cancelTask(5);
    }

    // ------------------------------------------------------------------ commitRound

    function test_CommitRoundStoresCommitmentAndMovesToChallenging() public {
        uint256 taskId = postDefaultTask();
        warpToCommit(taskId, 0);
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Committing, "c");
        warpToReveal(taskId, 0);
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Revealing, "r");
        warpToAggregate(taskId, 0);
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Aggregating, "a");
        commitRoundAs(taskId, 0, bytes32("contrib"), 3, weights3(5, 6, 7));
        (bytes32 modelRoot, bytes32 contributionsRoot, uint256 total, uint256 at,) =
            coordinator.roundCommitment(taskId, 0);
        vm.assertEq(modelRoot, keccak256(abi.encode("model", taskId, uint16(0))), "model");
        vm.assertEq(contributionsRoot, bytes32("contrib"), "contributions");
        vm.assertEq(total, 18, "total weight");
        vm.assertEq(at, block.timestamp, "committed at");
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Challenging, "ch");
    }

    function test_CommitRoundRepeatedWithSameRootsIsANoOp() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.warp(block.timestamp + 10_000); // even after the window
        pvm.recordLogs();
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        vm.assertEq(pvm.getRecordedLogs().length, 0, "no event");
    }

    function test_CommitRoundConflictEmitsAlarmAndKeepsFirst() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.recordLogs();
        commitRoundAs(taskId, 0, bytes32("other"), 3, weights3(1, 1, 1));
        ProtocolVm.Log[] memory logs = pvm.getRecordedLogs();
        vm.assertEq(logs.length, 1, "one event");
        vm.assertEq(logs[0].topics[0], RoundCommitmentConflicted.selector, "conflict alarm");
        (, bytes32 contributionsRoot,,,) = coordinator.roundCommitment(taskId, 0);
        vm.assertEq(contributionsRoot, bytes32("c"), "first kept");
    }

    function test_CommitRoundGasIsWithinBudgetAndFlatIn10Versus10000Contributors() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        uint256 a = postTask(spec, BOUNTY);
        uint256 b = postTask(spec, BOUNTY);
        warpToAggregate(a, 0);
        uint256 small = _measureCommit(a, 10);
        uint256 large = _measureCommit(b, 10_000);
        emit log_named_uint("commitRound gas, 10 contributors", small);
        emit log_named_uint("commitRound gas, 10000 contributors", large);
        vm.assertLe(small, COMMIT_ROUND_GAS_BUDGET, "10 contributors over budget");
        vm.assertLe(large, COMMIT_ROUND_GAS_BUDGET, "10000 contributors over budget");
        pvm.assertApproxEqRel(small, large, 0.01e18, "not flat within 1%");
    }

    function _measureCommit(uint256 taskId, uint32 contributors) internal returns (uint256 used) {
        uint64[] memory w = weights3(contributors * 300, contributors * 300, contributors * 400);
        bytes32 modelRoot = keccak256(abi.encode(taskId));
        bytes32 contributionsRoot = keccak256(abi.encode(taskId, contributors));
        uint64 total = contributors * 1000;
        // Every measured call starts from cold storage, as the first call of a transaction does.
        pvm.cool(address(coordinator));
        pvm.prank(aggregator);
        used = gasleft();
        coordinator.commitRound(taskId, 0, modelRoot, contributionsRoot, total, contributors, w);
        used -= gasleft();
    }

    function _expectCommitRevert(uint256 taskId, uint16 round, bytes memory err) internal {
        uint64[] memory w = weights3(1, 1, 1);
        pvm.prank(aggregator);
        vm.expectRevert(err);
        coordinator.commitRound(taskId, round, bytes32("m"), bytes32("c"), 3, 3, w);
    }

    function test_RevertIf_CommitRoundByUnbondedCaller() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        uint64[] memory w = weights3(1, 1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorNotBonded.selector, address(this))
        );
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), 3, 3, w);
        pvm.prank(aggregator);
        coordinator.requestAggregatorUnbond();
        _expectCommitRevert(
            taskId,
            0,
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorNotBonded.selector, aggregator)
        );
    }

    function test_RevertIf_CommitRoundUnknownTaskOrRound() public {
        _expectCommitRevert(
            9, 0, abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownTask.selector, 9)
        );
        uint256 taskId = postDefaultTask();
        _expectCommitRevert(
            taskId,
            2,
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorRoundOutOfRange.selector, taskId, uint16(2)
            )
        );
    }

    function test_RevertIf_CommitRoundOnCancelledTask() public {
        uint256 taskId = postDefaultTask();
        pvm.prank(client);
        coordinator.cancelTask(taskId);
        warpToAggregate(taskId, 0);
        _expectCommitRevert(
            taskId,
            0,
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorTaskNotActive.selector, taskId)
        );
    }

    function test_RevertIf_CommitRoundOutsideAggregationWindow() public {
        uint256 taskId = postDefaultTask();
        warpToReveal(taskId, 0);
        _expectCommitRevert(
            taskId,
            0,
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Revealing
            )
        );
        (,, uint256 aggregateDeadline) = coordinator.roundDeadlines(taskId, 0);
        pvm.warp(aggregateDeadline);
        _expectCommitRevert(
            taskId,
            0,
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Failed
            )
        );
    }

    function test_RevertIf_CommitRoundWithZeroRoot() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        uint64[] memory w = weights3(1, 1, 1);
        pvm.prank(aggregator);
        vm.expectRevert(abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorZeroRoot.selector));
        coordinator.commitRound(taskId, 0, bytes32(0), bytes32("c"), 3, 3, w);
    }

    function test_RevertIf_CommitRoundWithTooFewOrTooManyContributors() public {
        ITaskCoordinator.TaskSpec memory spec = defaultSpec();
        spec.minContributors = 4;
        spec.maxContributors = 5;
        uint256 taskId = postTask(spec, BOUNTY);
        warpToAggregate(taskId, 0);
        _expectCommitRevert(
            taskId,
            0,
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorTooFewContributors.selector, uint32(3), uint32(4)
            )
        );
        uint64[] memory w = weights3(1, 1, 4);
        pvm.prank(aggregator);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorTooManyContributors.selector, uint32(6), uint32(5)
            )
        );
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), 6, 6, w);
    }

    function test_RevertIf_CommitRoundWithBadWeights() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        bytes memory err =
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorBadWeights.selector);
        pvm.startPrank(aggregator);
        uint64[] memory two = new uint64[](2);
        two[0] = 1;
        two[1] = 2;
        vm.expectRevert(err);
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), 3, 3, two);
        uint64[] memory w = weights3(1, 1, 1);
        vm.expectRevert(err);
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), 4, 3, w); // sum 3 != 4
        uint64[] memory zero = weights3(0, 0, 0);
        vm.expectRevert(err);
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), 0, 3, zero);
        uint64 tooMuch = 1_000_000 * 10_000 + 1; // maxWeight * maxContributors + 1
        uint64[] memory big = weights3(tooMuch, 0, 0);
        vm.expectRevert(err);
        coordinator.commitRound(taskId, 0, bytes32("m"), bytes32("c"), tooMuch, 3, big);
        pvm.stopPrank();
    }

    // ------------------------------------------------------------------ finalize / fail / reject

    function test_FinalizeRoundLocksSharesSendsThemAndGrowsLineage() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.warp(block.timestamp + 100);
        coordinator.finalizeRound(taskId, 0);
        relayAll();
        uint256 reward = BOUNTY / 2;
        uint256 share = reward / 3;
        vm.assertEq(coordinator.lockedForChain(CHAIN_B), share, "locked B");
        vm.assertEq(coordinator.lockedForChain(CHAIN_C), share, "locked C");
        vm.assertEq(vaultB.grantOf(taskId, 0).chainShare, share, "vault B grant");
        vm.assertEq(vaultC.grantOf(taskId, 0).contributionsRoot, bytes32("c"), "vault C root");
        (,,,, uint256 homePool) = coordinator.roundCommitment(taskId, 0);
        vm.assertEq(homePool, share, "home pool");
        vm.assertEq(registry.checkpointCount(modelId), 1, "lineage");
        IModelRegistry.Checkpoint memory cp = registry.checkpoint(modelId, 0);
        vm.assertEq(cp.parentRoot, keccak256("init"), "parent");
        vm.assertEq(cp.taskId, taskId, "task");
        vm.assertTrue(
            coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Finalized, "final"
        );
        // Conservation: escrow held = unallocated + home pool + locked.
        (,,, uint256 unallocated,) = coordinator.taskState(taskId);
        vm.assertEq(
            token.balanceOf(address(coordinator)), unallocated + homePool + 2 * share, "held"
        );
    }

    function test_LastSettledRoundCompletesTheTask() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.warp(block.timestamp + 100);
        coordinator.finalizeRound(taskId, 0);
        (,, uint256 aggregateDeadline) = coordinator.roundDeadlines(taskId, 1);
        pvm.warp(aggregateDeadline);
        coordinator.failRound(taskId, 1);
        (, TaskCoordinator.Status status,,, uint16 settled) = coordinator.taskState(taskId);
        vm.assertTrue(status == TaskCoordinator.Status.Completed, "completed");
        vm.assertEq(settled, 2, "settled");
    }

    function test_RevertIf_FinalizeRoundTooEarlyOrUncommittedOrTwice() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Aggregating
            )
        );
        coordinator.finalizeRound(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.warp(block.timestamp + 99);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Challenging
            )
        );
        coordinator.finalizeRound(taskId, 0);
        pvm.warp(block.timestamp + 1);
        coordinator.finalizeRound(taskId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Finalized
            )
        );
        coordinator.finalizeRound(taskId, 0);
    }

    function test_FailRoundWithoutCommitmentRefundsItsReward() public {
        uint256 taskId = postDefaultTask();
        (,, uint256 aggregateDeadline) = coordinator.roundDeadlines(taskId, 0);
        pvm.warp(aggregateDeadline);
        uint256 before = token.balanceOf(client);
        coordinator.failRound(taskId, 0);
        vm.assertEq(token.balanceOf(client) - before, BOUNTY / 2, "refund");
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Failed
            )
        );
        coordinator.failRound(taskId, 0);
    }

    function test_RevertIf_FailRoundBeforeDeadlineOrCommittedOrCancelled() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Aggregating
            )
        );
        coordinator.failRound(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        (,, uint256 aggregateDeadline) = coordinator.roundDeadlines(taskId, 0);
        pvm.warp(aggregateDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Challenging
            )
        );
        coordinator.failRound(taskId, 0);
        pvm.prank(client);
        coordinator.cancelTask(taskId);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorTaskNotActive.selector, taskId)
        );
        coordinator.failRound(taskId, 1);
    }

    function test_RejectRoundDuringChallengeRefunds() public {
        uint256 taskId = postDefaultTask();
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        uint256 before = token.balanceOf(client);
        pvm.prank(owner);
        coordinator.rejectRound(taskId, 0);
        vm.assertEq(token.balanceOf(client) - before, BOUNTY / 2, "refund");
        vm.assertTrue(coordinator.roundPhase(taskId, 0) == ITaskCoordinator.Phase.Failed, "f");
    }

    function test_RevertIf_RejectRoundByStrangerOrOutsideChallenge() public {
        uint256 taskId = postDefaultTask();
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        coordinator.rejectRound(taskId, 0);
        pvm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Open
            )
        );
        coordinator.rejectRound(taskId, 0);
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, bytes32("c"), 3, weights3(1, 1, 1));
        pvm.warp(block.timestamp + 100);
        pvm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Challenging
            )
        );
        coordinator.rejectRound(taskId, 0);
    }

    // ------------------------------------------------------------------ claims

    function _finalizeWithTree(uint256 taskId, bytes32 root, uint64[] memory w, uint32 n) internal {
        warpToAggregate(taskId, 0);
        commitRoundAs(taskId, 0, root, n, w);
        pvm.warp(block.timestamp + 100);
        coordinator.finalizeRound(taskId, 0);
        relayAll();
    }

    function test_ClaimPaysHomeWorkerByWeightOnce() public {
        uint256 taskId = postDefaultTask();
        address w1 = address(0x1001);
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = MerkleSha256.contributionLeaf(HOME, w1, bytes32("u1"), 300);
        leaves[1] = MerkleSha256.contributionLeaf(CHAIN_B, address(0x2002), bytes32("u2"), 500);
        leaves[2] = MerkleSha256.contributionLeaf(CHAIN_C, address(0x3003), bytes32("u3"), 200);
        _finalizeWithTree(taskId, merkleRoot(leaves), weights3(300, 500, 200), 3);
        bytes32[] memory proof = merkleProof(leaves, 0);
        coordinator.claim(taskId, 0, w1, bytes32("u1"), 300, 0, proof);
        vm.assertEq(token.balanceOf(w1), (BOUNTY / 2) * 300 / 1000, "paid by weight");
        vm.assertTrue(coordinator.isClaimed(taskId, 0, w1), "claimed");
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorAlreadyClaimed.selector, taskId, uint16(0), w1
            )
        );
        coordinator.claim(taskId, 0, w1, bytes32("u1"), 300, 0, proof);
    }

    function test_RevertIf_ClaimWithWrongLeafOrChain() public {
        uint256 taskId = postDefaultTask();
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = MerkleSha256.contributionLeaf(HOME, address(0x1001), bytes32("u1"), 300);
        leaves[1] = MerkleSha256.contributionLeaf(CHAIN_B, address(0x2002), bytes32("u2"), 700);
        _finalizeWithTree(taskId, merkleRoot(leaves), weights3(300, 700, 0), 2);
        bytes32 err = TaskCoordinator.TaskCoordinatorInvalidProof.selector;
        bytes32[] memory proof0 = merkleProof(leaves, 0);
        vm.expectRevert(abi.encodeWithSelector(bytes4(err)));
        coordinator.claim(taskId, 0, address(0x1001), bytes32("u1"), 301, 0, proof0); // weight
        bytes32[] memory proof1 = merkleProof(leaves, 1);
        vm.expectRevert(abi.encodeWithSelector(bytes4(err)));
        // A chain-B leaf cannot be claimed on home.
        coordinator.claim(taskId, 0, address(0x2002), bytes32("u2"), 700, 1, proof1);
        vm.expectRevert(abi.encodeWithSelector(bytes4(err)));
        coordinator.claim(taskId, 0, address(0x1001), bytes32("u1"), 300, 2, proof0); // index
    }

    function test_RevertIf_ClaimsOfAMalformedTreeExceedTheHomeShare() public {
        uint256 taskId = postDefaultTask();
        bytes32[] memory leaves = new bytes32[](2);
        // The commitment says home weighs 100 of 1000, but the home leaves weigh 900.
        leaves[0] = MerkleSha256.contributionLeaf(HOME, address(0x1001), bytes32("u1"), 450);
        leaves[1] = MerkleSha256.contributionLeaf(HOME, address(0x1002), bytes32("u2"), 450);
        _finalizeWithTree(taskId, merkleRoot(leaves), weights3(100, 900, 0), 2);
        bytes32[] memory proof0 = merkleProof(leaves, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorShareExceeded.selector, taskId, uint16(0)
            )
        );
        coordinator.claim(taskId, 0, address(0x1001), bytes32("u1"), 450, 0, proof0);
    }

    function test_RevertIf_ClaimBeforeFinalized() public {
        uint256 taskId = postDefaultTask();
        bytes32[] memory proof = new bytes32[](0);
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorWrongPhase.selector,
                taskId,
                uint16(0),
                ITaskCoordinator.Phase.Open
            )
        );
        coordinator.claim(taskId, 0, address(1), bytes32("u"), 1, 0, proof);
    }

    function test_ClaimAtTenThousandContributorsWithinGasBudget() public {
        uint256 taskId = postDefaultTask();
        address worker = address(0x1001);
        bytes32 leaf = MerkleSha256.contributionLeaf(HOME, worker, bytes32("u"), 1000);
        // Depth 14 = a tree of 16,384 slots, enough for 10,000 contributors.
        (bytes32 root, bytes32[] memory proof) = syntheticProof(leaf, 9_999, 14);
        _finalizeWithTree(taskId, root, weights3(4_000_000, 3_000_000, 3_000_000), 10_000);
        pvm.cool(address(coordinator));
        pvm.cool(address(token));
        uint256 used = gasleft();
        coordinator.claim(taskId, 0, worker, bytes32("u"), 1000, 9_999, proof);
        used -= gasleft();
        emit log_named_uint("claim gas on home, 10000 contributors", used);
        vm.assertLe(used, CLAIM_GAS_BUDGET, "claim over budget");
        vm.assertEq(token.balanceOf(worker), (BOUNTY / 2) * 1000 / 10_000_000, "amount");
    }

    /// @notice Every contributor of a fuzzed tree claims on its own chain (home or a vault):
    ///         each gets share-of-weight, nobody twice, and no chain pays more than its share.
    function testFuzz_ClaimsPayEveryContributorOnItsChainExactlyOnce(uint256 seed, uint8 n) public {
        n = uint8(bound(n, 1, 24));
        fuzzSeed = seed;
        uint256 taskId = postDefaultTask();
        bytes32[] memory leaves = new bytes32[](n);
        uint64[] memory chainOf = new uint64[](n);
        uint64[] memory weightOf = new uint64[](n);
        uint64[] memory w = new uint64[](3);
        for (uint256 i = 0; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            chainOf[i] = uint64(1 + r % 3);
            weightOf[i] = uint64(1 + (r >> 8) % 1_000_000);
            w[chainOf[i] - 1] += weightOf[i];
            leaves[i] = MerkleSha256.contributionLeaf(
                chainOf[i], address(uint160(0x10000 + i)), _rootFor(i), weightOf[i]
            );
        }
        _finalizeWithTree(taskId, merkleRoot(leaves), w, n);
        uint256 reward = BOUNTY / 2;
        uint256 total = uint256(w[0]) + w[1] + w[2];
        for (uint256 i = 0; i < n; ++i) {
            _claimOn(taskId, chainOf[i], leaves, i, weightOf[i]);
            uint256 expected;
            if (chainOf[i] == HOME) {
                expected = reward * weightOf[i] / total;
            } else {
                uint256 share = reward * w[chainOf[i] - 1] / total;
                expected = share * weightOf[i] / w[chainOf[i] - 1];
            }
            vm.assertEq(_balanceOn(chainOf[i], address(uint160(0x10000 + i))), expected, "paid");
        }
        (,,,, uint256 homePool) = coordinator.roundCommitment(taskId, 0);
        vm.assertLe(vaultB.totalSupply(), coordinator.lockedForChain(CHAIN_B), "B within share");
        vm.assertLe(vaultC.totalSupply(), coordinator.lockedForChain(CHAIN_C), "C within share");
        vm.assertLe(homePool, reward, "home pool");
        // A second claim of any contributor fails.
        uint256 k = seed % n;
        pvm.expectRevert();
        this.claimOn(taskId, chainOf[k], leaves, k, weightOf[k]);
    }

    function claimOn(
        uint256 taskId,
        uint64 chainId,
        bytes32[] memory leaves,
        uint256 i,
        uint64 weight
    ) external {
        _claimOn(taskId, chainId, leaves, i, weight);
    }

    function _claimOn(
        uint256 taskId,
        uint64 chainId,
        bytes32[] memory leaves,
        uint256 i,
        uint64 weight
    ) internal {
        bytes32[] memory proof = merkleProof(leaves, i);
        address worker = address(uint160(0x10000 + i));
        if (chainId == HOME) {
            coordinator.claim(taskId, 0, worker, _rootFor(i), weight, i, proof);
        } else {
            (chainId == CHAIN_B ? vaultB : vaultC)
            .claim(taskId, 0, worker, _rootFor(i), weight, i, proof);
        }
    }

    uint256 internal fuzzSeed;

    function _rootFor(uint256 index) internal view returns (bytes32) {
        return bytes32(uint256(keccak256(abi.encode(fuzzSeed, index))));
    }

    function _balanceOn(uint64 chainId, address worker) internal view returns (uint256) {
        if (chainId == HOME) return token.balanceOf(worker);
        return (chainId == CHAIN_B ? vaultB : vaultC).balanceOf(worker);
    }

    // ------------------------------------------------------------------ slashing and returns

    function test_RevertIf_SlashWorkerByStrangerOrOnUnknownChain() public {
        vm.expectRevert(
            abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this))
        );
        coordinator.slashWorker(CHAIN_B, address(1), 1, 1, 0, "x");
        pvm.prank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownChain.selector, uint64(8))
        );
        coordinator.slashWorker(8, address(1), 1, 1, 0, "x");
    }

    function test_ReturnFromVaultReleasesLockedEscrowOnHome() public {
        uint256 taskId = postDefaultTask();
        address wb = address(0x2002);
        bytes32[] memory leaves = new bytes32[](2);
        leaves[0] = MerkleSha256.contributionLeaf(HOME, address(0x1001), bytes32("u1"), 500);
        leaves[1] = MerkleSha256.contributionLeaf(CHAIN_B, wb, bytes32("u2"), 500);
        _finalizeWithTree(taskId, merkleRoot(leaves), weights3(500, 500, 0), 2);
        vaultB.claim(taskId, 0, wb, bytes32("u2"), 500, 1, merkleProof(leaves, 1));
        uint256 minted = vaultB.balanceOf(wb);
        vm.assertEq(minted, BOUNTY / 4, "half of the round");
        pvm.prank(wb);
        vaultB.returnToHome(minted, address(0xFEED));
        relayAll();
        vm.assertEq(token.balanceOf(address(0xFEED)), minted, "released on home");
        vm.assertEq(coordinator.lockedForChain(CHAIN_B), 0, "unlocked");
        vm.assertEq(vaultB.totalSupply(), 0, "burned");
    }

    function test_RevertIf_ReturnFromUntrustedSource() public {
        bytes memory payload = Messages.encodeRewardReturned(address(this), 1);
        string memory vaultB_ = Strings.toHexString(address(vaultB));
        // Right address, wrong chain; and an unknown chain.
        gwHome.approveContractCall(
            bytes32("1"), C_NAME, vaultB_, address(coordinator), keccak256(payload)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorUntrustedSource.selector, C_NAME, vaultB_
            )
        );
        coordinator.execute(bytes32("1"), C_NAME, vaultB_, payload);
        gwHome.approveContractCall(
            bytes32("2"), "nowhere", vaultB_, address(coordinator), keccak256(payload)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorUntrustedSource.selector, "nowhere", vaultB_
            )
        );
        coordinator.execute(bytes32("2"), "nowhere", vaultB_, payload);
    }

    function test_RevertIf_ReturnExceedsLockedOrUnknownKind() public {
        string memory from = Strings.toHexString(address(vaultB));
        bytes memory payload = Messages.encodeRewardReturned(address(this), 1);
        gwHome.approveContractCall(
            bytes32("1"), B_NAME, from, address(coordinator), keccak256(payload)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorReturnExceedsLocked.selector, CHAIN_B, 1, 0
            )
        );
        coordinator.execute(bytes32("1"), B_NAME, from, payload);
        bytes memory odd = Messages.encodeTaskCancelled(1);
        gwHome.approveContractCall(bytes32("2"), B_NAME, from, address(coordinator), keccak256(odd));
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownMessage.selector, 2)
        );
        coordinator.execute(bytes32("2"), B_NAME, from, odd);
    }

    function test_RevertIf_ExecuteWithoutGatewayApproval() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        coordinator.execute(bytes32("x"), B_NAME, "0x00", hex"");
    }

    function test_RevertIf_ViewsAskForUnknownTaskOrRound() public {
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownTask.selector, 3)
        );
        coordinator.taskSpec(3);
        vm.expectRevert(
            abi.encodeWithSelector(TaskCoordinator.TaskCoordinatorUnknownTask.selector, 3)
        );
        coordinator.roundPhase(3, 0);
        uint256 taskId = postDefaultTask();
        vm.expectRevert(
            abi.encodeWithSelector(
                TaskCoordinator.TaskCoordinatorRoundOutOfRange.selector, taskId, uint16(2)
            )
        );
        coordinator.roundDeadlines(taskId, 2);
    }

    function test_GettersReportConfiguration() public view {
        pvm.assertEq(address(coordinator.token()), address(token), "token");
        pvm.assertEq(address(coordinator.registry()), address(registry), "registry");
        vm.assertEq(coordinator.homeChainId(), HOME, "home");
        vm.assertEq(coordinator.minAggregatorBond(), MIN_AGG_BOND, "bond");
        vm.assertEq(coordinator.aggregatorUnbondingDelay(), 1 days, "delay");
    }
}
