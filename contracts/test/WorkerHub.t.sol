// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {WorkerHub} from "../src/WorkerHub.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {Messages} from "../src/libraries/Messages.sol";
import {ProtocolFixture} from "./mocks/ProtocolFixture.sol";

/// @notice Refuses native currency, to make payouts fail.
contract RejectingReceiver {
    function register(WorkerHub hub) external payable {
        hub.register{value: msg.value}();
    }

    function requestUnbond(WorkerHub hub) external {
        hub.requestUnbond();
    }

    function withdrawStake(WorkerHub hub) external {
        hub.withdrawStake();
    }
}

contract WorkerHubTest is ProtocolFixture {
    /// @dev Gas allowed for one commitUpdate / revealUpdate (execution gas of the external call).
    uint256 internal constant COMMIT_UPDATE_GAS_BUDGET = 60_000;
    uint256 internal constant REVEAL_UPDATE_GAS_BUDGET = 80_000;

    event log_named_uint(string key, uint256 val);

    address internal worker = address(0xB0B);
    bytes32 internal constant ROOT = keccak256("update");
    bytes32 internal constant SALT = keccak256("salt");
    uint64 internal constant SAMPLES = 600;
    uint256 internal taskId;

    function setUp() public {
        setUpProtocol();
        taskId = postDefaultTask();
        registerWorker(hubB, worker);
    }

    // ------------------------------------------------------------------ staking

    function test_RegisterStakesAndTopsUp() public {
        vm.assertTrue(hubB.isActiveWorker(worker), "active");
        pvm.deal(worker, 2 ether);
        pvm.prank(worker);
        hubB.register{value: 2 ether}();
        vm.assertEq(hubB.workerOf(worker).stake, 3 ether, "stake");
        vm.assertEq(hubB.totalStaked(), 3 ether, "total");
        vm.assertEq(address(hubB).balance, 3 ether, "balance");
    }

    function test_RevertIf_RegisterBelowMinimum() public {
        address w = address(0xCAFE);
        pvm.deal(w, 1 ether);
        pvm.prank(w);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubStakeTooLow.selector, 0.5 ether, MIN_STAKE)
        );
        hubB.register{value: 0.5 ether}();
    }

    function test_RevertIf_RegisterWithNothing() public {
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubStakeTooLow.selector, MIN_STAKE, MIN_STAKE)
        );
        hubB.register();
    }

    function test_RevertIf_RegisterWhileUnbonding() public {
        pvm.prank(worker);
        hubB.requestUnbond();
        pvm.deal(worker, 1 ether);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnbonding.selector, worker));
        hubB.register{value: 1 ether}();
    }

    function test_UnbondThenWithdrawAfterDelay() public {
        pvm.prank(worker);
        hubB.requestUnbond();
        vm.assertFalse(hubB.isActiveWorker(worker), "inactive while unbonding");
        pvm.warp(block.timestamp + UNBONDING_DELAY);
        uint256 before = worker.balance;
        pvm.prank(worker);
        hubB.withdrawStake();
        vm.assertEq(worker.balance - before, MIN_STAKE, "stake returned");
        vm.assertEq(hubB.totalStaked(), 0, "total");
        vm.assertEq(address(hubB).balance, 0, "balance");
    }

    function test_RevertIf_RequestUnbondUnregistered() public {
        pvm.prank(address(0xCAFE));
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubNotRegistered.selector, address(0xCAFE))
        );
        hubB.requestUnbond();
    }

    function test_RevertIf_RequestUnbondTwice() public {
        pvm.startPrank(worker);
        hubB.requestUnbond();
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnbonding.selector, worker));
        hubB.requestUnbond();
        pvm.stopPrank();
    }

    function test_RevertIf_WithdrawWithoutUnbonding() public {
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubNotUnbonding.selector, worker));
        hubB.withdrawStake();
    }

    function test_RevertIf_WithdrawBeforeDelay() public {
        pvm.prank(worker);
        hubB.requestUnbond();
        uint256 unlockAt = block.timestamp + UNBONDING_DELAY;
        pvm.warp(unlockAt - 1);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubStillLocked.selector, unlockAt));
        hubB.withdrawStake();
    }

    function test_RevertIf_WithdrawToReceiverThatRefuses() public {
        RejectingReceiver r = new RejectingReceiver();
        pvm.deal(address(r), MIN_STAKE);
        r.register{value: MIN_STAKE}(hubB);
        r.requestUnbond(hubB);
        pvm.warp(block.timestamp + UNBONDING_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubTransferFailed.selector, address(r), MIN_STAKE
            )
        );
        r.withdrawStake(hubB);
    }

    // ------------------------------------------------------------------ commit

    function test_CommitUpdateInWindowStoresCommitment() public {
        warpToCommit(taskId, 0);
        bytes32 c = commitment(hubB, worker, ROOT, SAMPLES, SALT);
        pvm.prank(worker);
        hubB.commitUpdate(taskId, 0, c);
        vm.assertEq(hubB.entryOf(taskId, 0, worker).commitment, c, "commitment");
    }

    function test_CommitUpdateWithinGasBudget() public {
        warpToCommit(taskId, 0);
        bytes32 c = commitment(hubB, worker, ROOT, SAMPLES, SALT);
        pvm.cool(address(hubB)); // cold storage, as in the first call of a transaction
        pvm.prank(worker);
        uint256 before = gasleft();
        hubB.commitUpdate(taskId, 0, c);
        uint256 used = before - gasleft();
        emit log_named_uint("commitUpdate gas", used);
        vm.assertLe(used, COMMIT_UPDATE_GAS_BUDGET, "commitUpdate over budget");
    }

    function test_RevertIf_CommitUpdateZero() public {
        warpToCommit(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubZeroHash.selector));
        hubB.commitUpdate(taskId, 0, bytes32(0));
    }

    function test_RevertIf_CommitUpdateUnregistered() public {
        warpToCommit(taskId, 0);
        pvm.prank(address(0xCAFE));
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubNotRegistered.selector, address(0xCAFE))
        );
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateUnderStakedAfterSlash() public {
        deliver(
            gwB,
            address(hubB),
            HOME_NAME,
            address(coordinator),
            Messages.encodeWorkerSlashed(worker, 0.5 ether, taskId, 0, "x"),
            bytes32("slash")
        );
        warpToCommit(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubStakeTooLow.selector, 0.5 ether, MIN_STAKE)
        );
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateWhileUnbonding() public {
        pvm.prank(worker);
        hubB.requestUnbond();
        warpToCommit(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnbonding.selector, worker));
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateUnknownTask() public {
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnknownTask.selector, 99));
        hubB.commitUpdate(99, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateRoundOutOfRange() public {
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubRoundOutOfRange.selector, taskId, uint16(2))
        );
        hubB.commitUpdate(taskId, 2, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateCancelledTask() public {
        pvm.prank(client);
        coordinator.cancelTask(taskId);
        relayAll();
        warpToCommit(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubTaskCancelled.selector, taskId));
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateEarly() public {
        (uint256 open, uint256 commitDeadline,) = hubB.roundWindows(taskId, 0);
        pvm.warp(open - 1);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotCommitWindow.selector, open - 1, open, commitDeadline
            )
        );
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateLate() public {
        (uint256 open, uint256 commitDeadline,) = hubB.roundWindows(taskId, 0);
        pvm.warp(commitDeadline);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotCommitWindow.selector, commitDeadline, open, commitDeadline
            )
        );
        hubB.commitUpdate(taskId, 0, bytes32("c"));
    }

    function test_RevertIf_CommitUpdateTwice() public {
        warpToCommit(taskId, 0);
        pvm.startPrank(worker);
        hubB.commitUpdate(taskId, 0, bytes32("c"));
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubAlreadyCommitted.selector, taskId, uint16(0), worker
            )
        );
        hubB.commitUpdate(taskId, 0, bytes32("d"));
        pvm.stopPrank();
    }

    // ------------------------------------------------------------------ reveal

    function _commit() internal {
        warpToCommit(taskId, 0);
        bytes32 c = commitment(hubB, worker, ROOT, SAMPLES, SALT);
        pvm.prank(worker);
        hubB.commitUpdate(taskId, 0, c);
    }

    function _reveal() internal {
        pvm.prank(worker);
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevealUpdateMatchingCommitmentRecordsRootAndReputation() public {
        _commit();
        warpToReveal(taskId, 0);
        _reveal();
        vm.assertEq(hubB.entryOf(taskId, 0, worker).updateRoot, ROOT, "root");
        vm.assertEq(hubB.workerOf(worker).roundsContributed, 1, "contributed");
    }

    function test_RevealUpdateWithinGasBudget() public {
        _commit();
        warpToReveal(taskId, 0);
        bytes32 dataRoot = dataRootOf(worker);
        pvm.cool(address(hubB)); // cold storage, as in the first call of a transaction
        pvm.prank(worker);
        uint256 before = gasleft();
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRoot, SALT);
        uint256 used = before - gasleft();
        emit log_named_uint("revealUpdate gas", used);
        vm.assertLe(used, REVEAL_UPDATE_GAS_BUDGET, "revealUpdate over budget");
    }

    function test_RevertIf_RevealUpdateZeroRoot() public {
        _commit();
        warpToReveal(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubZeroHash.selector));
        hubB.revealUpdate(taskId, 0, bytes32(0), SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevertIf_RevealUpdateUnknownTask() public {
        pvm.prank(worker);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnknownTask.selector, 99));
        hubB.revealUpdate(99, 0, ROOT, SAMPLES, bytes32(0), SALT);
    }

    function test_RevertIf_RevealUpdateDuringCommitWindow() public {
        _commit();
        (, uint256 commitDeadline, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotRevealWindow.selector,
                block.timestamp,
                commitDeadline,
                revealDeadline
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevertIf_RevealUpdateLate() public {
        _commit();
        (, uint256 commitDeadline, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        pvm.warp(revealDeadline);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotRevealWindow.selector,
                revealDeadline,
                commitDeadline,
                revealDeadline
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevertIf_RevealUpdateSamplesOutOfRange() public {
        _commit();
        warpToReveal(taskId, 0);
        pvm.startPrank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubSamplesOutOfRange.selector, uint64(0), uint64(1_000_000)
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, 0, dataRootOf(worker), SALT);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubSamplesOutOfRange.selector, uint64(1_000_001), uint64(1_000_000)
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, 1_000_001, dataRootOf(worker), SALT);
        pvm.stopPrank();
    }

    function test_RevertIf_RevealUpdateWithoutCommit() public {
        warpToReveal(taskId, 0);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotCommitted.selector, taskId, uint16(0), worker
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevertIf_RevealUpdateTwice() public {
        _commit();
        warpToReveal(taskId, 0);
        _reveal();
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubAlreadyRevealed.selector, taskId, uint16(0), worker
            )
        );
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES, dataRootOf(worker), SALT);
    }

    function test_RevertIf_RevealUpdateMismatch() public {
        _commit();
        warpToReveal(taskId, 0);
        bytes32 c = commitment(hubB, worker, ROOT, SAMPLES, SALT);
        bytes32 wrong = hubB.commitmentOf(ROOT, SAMPLES + 1, dataRootOf(worker), SALT, worker);
        pvm.prank(worker);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubRevealMismatch.selector, c, wrong)
        );
        hubB.revealUpdate(taskId, 0, ROOT, SAMPLES + 1, dataRootOf(worker), SALT);
    }

    /// @notice A reveal passes only with exactly the committed fields, by the committing worker.
    function testFuzz_RevealBindsEveryFieldOfTheCommitment(
        bytes32 root,
        uint64 samples,
        bytes32 dataRoot,
        bytes32 salt,
        uint8 field,
        bytes32 noise
    ) public {
        vm.assume(root != bytes32(0) && noise != bytes32(0));
        samples = uint64(bound(samples, 1, 1_000_000));
        warpToCommit(taskId, 0);
        bytes32 c = hubB.commitmentOf(root, samples, dataRoot, salt, worker);
        pvm.prank(worker);
        hubB.commitUpdate(taskId, 0, c);
        warpToReveal(taskId, 0);

        bytes32 r = root;
        uint64 n = samples;
        bytes32 d = dataRoot;
        bytes32 s = salt;
        field = uint8(bound(field, 0, 3));
        if (field == 0) r = root ^ noise;
        if (field == 1) n = samples == 1 ? 2 : samples - 1;
        if (field == 2) d = dataRoot ^ noise;
        if (field == 3) s = salt ^ noise;
        if (r != bytes32(0)) {
            pvm.prank(worker);
            pvm.expectRevert();
            hubB.revealUpdate(taskId, 0, r, n, d, s);
        }
        pvm.prank(worker);
        hubB.revealUpdate(taskId, 0, root, samples, dataRoot, salt);
        vm.assertEq(hubB.entryOf(taskId, 0, worker).updateRoot, root, "revealed");
    }

    /// @notice Another worker cannot reveal (copy) a commitment made by someone else.
    function testFuzz_CommitmentIsBoundToTheWorker(bytes32 root, bytes32 salt, address copier)
        public
    {
        vm.assume(root != bytes32(0) && copier != worker && copier.code.length == 0);
        vm.assume(uint160(copier) > 0xff);
        registerWorker(hubB, copier);
        warpToCommit(taskId, 0);
        bytes32 c = hubB.commitmentOf(root, SAMPLES, bytes32(0), salt, worker);
        pvm.prank(worker);
        hubB.commitUpdate(taskId, 0, c);
        pvm.prank(copier);
        hubB.commitUpdate(taskId, 0, c);
        warpToReveal(taskId, 0);
        bytes32 copied = hubB.commitmentOf(root, SAMPLES, bytes32(0), salt, copier);
        pvm.prank(copier);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubRevealMismatch.selector, c, copied)
        );
        hubB.revealUpdate(taskId, 0, root, SAMPLES, bytes32(0), salt);
    }

    // ------------------------------------------------------------------ misses

    function test_RecordMissCountsOnce() public {
        _commit();
        (,, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        pvm.warp(revealDeadline);
        hubB.recordMiss(taskId, 0, worker);
        vm.assertEq(hubB.workerOf(worker).roundsMissed, 1, "missed");
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubNotMissed.selector, taskId, uint16(0), worker)
        );
        hubB.recordMiss(taskId, 0, worker);
    }

    function test_RevertIf_RecordMissOfRevealedWorker() public {
        _commit();
        warpToReveal(taskId, 0);
        _reveal();
        (,, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        pvm.warp(revealDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubNotMissed.selector, taskId, uint16(0), worker)
        );
        hubB.recordMiss(taskId, 0, worker);
    }

    function test_RevertIf_RecordMissWhileRevealOpen() public {
        _commit();
        (,, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubRevealWindowOpen.selector, revealDeadline)
        );
        hubB.recordMiss(taskId, 0, worker);
    }

    function test_RevertIf_RecordMissWithoutCommit() public {
        (,, uint256 revealDeadline) = hubB.roundWindows(taskId, 0);
        pvm.warp(revealDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubNotCommitted.selector, taskId, uint16(0), worker
            )
        );
        hubB.recordMiss(taskId, 0, worker);
    }

    // ------------------------------------------------------------------ gateway messages

    function test_TaskAnnouncedThroughGatewayCarriesSchedule() public view {
        WorkerHub.TaskWindows memory w = hubB.taskWindows(taskId);
        vm.assertEq(w.rounds, 2, "rounds");
        vm.assertEq(w.maxWeight, 1_000_000, "maxWeight");
        (uint256 open, uint256 commitDeadline, uint256 revealDeadline) =
            hubB.roundWindows(taskId, 1);
        (uint256 cd, uint256 rd,) = coordinator.roundDeadlines(taskId, 1);
        vm.assertEq(commitDeadline, cd, "commit deadline agrees with home");
        vm.assertEq(revealDeadline, rd, "reveal deadline agrees with home");
        vm.assertEq(open, cd - 300, "open");
    }

    function test_SlashThroughGatewayPaysTreasuryAndCountsSlash() public {
        pvm.prank(owner);
        coordinator.slashWorker(CHAIN_B, worker, 0.4 ether, taskId, 0, "mismatch");
        relayAll();
        vm.assertEq(hubB.workerOf(worker).stake, 0.6 ether, "stake");
        vm.assertEq(hubB.workerOf(worker).slashes, 1, "slashes");
        vm.assertEq(treasury.balance, 0.4 ether, "treasury");
        vm.assertEq(hubB.totalStaked(), address(hubB).balance, "stakes == balance");
        vm.assertFalse(hubB.isActiveWorker(worker), "below minimum");
    }

    function test_SlashIsCappedAtStake() public {
        deliver(
            gwB,
            address(hubB),
            HOME_NAME,
            address(coordinator),
            Messages.encodeWorkerSlashed(worker, 5 ether, taskId, 0, "x"),
            bytes32("cmd")
        );
        vm.assertEq(hubB.workerOf(worker).stake, 0, "stake");
        vm.assertEq(treasury.balance, MIN_STAKE, "treasury");
    }

    function test_SlashToRefusingTreasuryFailsAndKeepsApproval() public {
        RejectingReceiver refusing = new RejectingReceiver();
        WorkerHub hub = new WorkerHub(
            address(gwB), HOME_NAME, address(coordinator), MIN_STAKE, 1, address(refusing)
        );
        registerWorker(hub, worker);
        bytes memory payload = Messages.encodeWorkerSlashed(worker, 1, taskId, 0, "x");
        string memory from = _hex(address(coordinator));
        gwB.approveContractCall(bytes32("s"), HOME_NAME, from, address(hub), keccak256(payload));
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubTransferFailed.selector, address(refusing), 1)
        );
        hub.execute(bytes32("s"), HOME_NAME, from, payload);
        vm.assertEq(hub.workerOf(worker).stake, MIN_STAKE, "stake untouched");
        vm.assertTrue(
            gwB.isContractCallApproved(
                bytes32("s"), HOME_NAME, from, address(hub), keccak256(payload)
            ),
            "approval kept for a retry"
        );
    }

    function test_RevertIf_ExecuteWithoutApproval() public {
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        hubB.execute(
            bytes32("cmd"),
            HOME_NAME,
            "0x0000000000000000000000000000000000000001",
            Messages.encodeTaskCancelled(taskId)
        );
    }

    function test_RevertIf_ExecuteFromWrongAddress() public {
        bytes memory payload = Messages.encodeTaskCancelled(taskId);
        string memory from = "0x000000000000000000000000000000000000dEaD";
        gwB.approveContractCall(bytes32("cmd"), HOME_NAME, from, address(hubB), keccak256(payload));
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubUntrustedSource.selector, HOME_NAME, from)
        );
        hubB.execute(bytes32("cmd"), HOME_NAME, from, payload);
    }

    function test_RevertIf_ExecuteFromWrongChain() public {
        bytes memory payload = Messages.encodeTaskCancelled(taskId);
        string memory from = _hex(address(coordinator));
        gwB.approveContractCall(bytes32("cmd"), B_NAME, from, address(hubB), keccak256(payload));
        vm.expectRevert(
            abi.encodeWithSelector(WorkerHub.WorkerHubUntrustedSource.selector, B_NAME, from)
        );
        hubB.execute(bytes32("cmd"), B_NAME, from, payload);
    }

    function test_RevertIf_ExecuteFromUnparsableAddress() public {
        bytes memory payload = Messages.encodeTaskCancelled(taskId);
        gwB.approveContractCall(
            bytes32("cmd"), HOME_NAME, "coordinator", address(hubB), keccak256(payload)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                WorkerHub.WorkerHubUntrustedSource.selector, HOME_NAME, "coordinator"
            )
        );
        hubB.execute(bytes32("cmd"), HOME_NAME, "coordinator", payload);
    }

    function test_RevertIf_ExecuteUnknownKind() public {
        bytes memory payload = abi.encode(uint8(42), taskId);
        string memory from = _hex(address(coordinator));
        gwB.approveContractCall(bytes32("cmd"), HOME_NAME, from, address(hubB), keccak256(payload));
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnknownMessage.selector, 42));
        hubB.execute(bytes32("cmd"), HOME_NAME, from, payload);
    }

    function test_RevertIf_TaskAnnouncedTwice() public {
        Messages.Schedule memory s = Messages.Schedule(1, 1, 1, 1, 1, 1);
        bytes memory payload = Messages.encodeTaskPosted(taskId, s);
        string memory from = _hex(address(coordinator));
        gwB.approveContractCall(bytes32("cmd"), HOME_NAME, from, address(hubB), keccak256(payload));
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubTaskExists.selector, taskId));
        hubB.execute(bytes32("cmd"), HOME_NAME, from, payload);
    }

    function test_FailedExecutionKeepsApprovalAndSucceedsOnRetry() public {
        // A cancel that arrives before its task: the execution fails, the approval stays.
        uint256 future = taskId + 1;
        bytes memory cancel = Messages.encodeTaskCancelled(future);
        string memory from = _hex(address(coordinator));
        gwB.approveContractCall(
            bytes32("cancel"), HOME_NAME, from, address(hubB), keccak256(cancel)
        );
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubUnknownTask.selector, future));
        hubB.execute(bytes32("cancel"), HOME_NAME, from, cancel);
        vm.assertTrue(
            gwB.isContractCallApproved(
                bytes32("cancel"), HOME_NAME, from, address(hubB), keccak256(cancel)
            ),
            "approval kept"
        );
        vm.assertFalse(gwB.isCommandExecuted(bytes32("cancel")), "not executed");

        deliver(
            gwB,
            address(hubB),
            HOME_NAME,
            address(coordinator),
            Messages.encodeTaskPosted(future, Messages.Schedule(1, 1, 1, 1, 1, 1)),
            bytes32("post")
        );
        hubB.execute(bytes32("cancel"), HOME_NAME, from, cancel);
        vm.assertTrue(hubB.taskWindows(future).cancelled, "cancelled on retry");
        vm.assertTrue(gwB.isCommandExecuted(bytes32("cancel")), "executed");
        vm.expectRevert(abi.encodeWithSelector(IAxelarExecutable.NotApprovedByGateway.selector));
        hubB.execute(bytes32("cancel"), HOME_NAME, from, cancel);
    }

    function test_ExecuteAcceptsAChecksummedSourceAddress() public {
        bytes memory payload = Messages.encodeTaskCancelled(taskId);
        string memory from = Strings.toChecksumHexString(address(coordinator));
        gwB.approveContractCall(bytes32("cmd"), HOME_NAME, from, address(hubB), keccak256(payload));
        hubB.execute(bytes32("cmd"), HOME_NAME, from, payload);
        vm.assertTrue(hubB.taskWindows(taskId).cancelled, "cancelled");
    }

    function test_RevertIf_ConstructedWithZeroArguments() public {
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubZeroArgument.selector));
        new WorkerHub(address(gwB), HOME_NAME, address(0), MIN_STAKE, 1, treasury);
        vm.expectRevert(abi.encodeWithSelector(WorkerHub.WorkerHubZeroArgument.selector));
        new WorkerHub(address(gwB), "", address(coordinator), MIN_STAKE, 1, treasury);
    }

    function test_GettersReportConfiguration() public view {
        vm.assertEq(hubB.minStake(), MIN_STAKE, "minStake");
        vm.assertEq(hubB.unbondingDelay(), UNBONDING_DELAY, "delay");
        pvm.assertEq(hubB.treasury(), treasury, "treasury");
        (string memory home, address coord) = hubB.trustedSource();
        vm.assertEq(bytes(home), bytes(HOME_NAME), "home");
        pvm.assertEq(coord, address(coordinator), "coordinator");
    }

    function _hex(address a) internal pure returns (string memory) {
        return Strings.toHexString(a);
    }
}
