// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    IAxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/interfaces/IAxelarExecutable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {ModelRegistry} from "../../src/ModelRegistry.sol";
import {RewardVault} from "../../src/RewardVault.sol";
import {TaskCoordinator} from "../../src/TaskCoordinator.sol";
import {TaskIntake} from "../../src/TaskIntake.sol";
import {TrainingToken} from "../../src/TrainingToken.sol";
import {WorkerHub} from "../../src/WorkerHub.sol";
import {ITaskCoordinator} from "../../src/interfaces/ITaskCoordinator.sol";
import {MerkleSha256} from "../../src/libraries/MerkleSha256.sol";
import {Test} from "../utils/Test.sol";
import {ProtocolVm} from "./ProtocolVm.sol";
import {TestGateway} from "./TestGateway.sol";

/// @title ProtocolFixture
/// @notice The whole suite on three simulated chains inside one EVM: home (chain id 1: coordinator,
///         registry, hub) and two participant chains (ids 2 and 3: hub and vault each), every chain
///         with its own TestGateway. {relay} carries recorded gateway calls to their destination the
///         way a guardian relayer does: approve on the destination gateway, then `execute`.
abstract contract ProtocolFixture is Test {
    ProtocolVm internal constant pvm = ProtocolVm(address(vm));

    uint64 internal constant HOME = 1;
    uint64 internal constant CHAIN_B = 2;
    uint64 internal constant CHAIN_C = 3;
    string internal constant HOME_NAME = "tributary-home";
    string internal constant B_NAME = "tributary-b";
    string internal constant C_NAME = "tributary-c";

    uint256 internal constant MIN_STAKE = 1 ether;
    uint256 internal constant UNBONDING_DELAY = 7 days;
    uint256 internal constant MIN_AGG_BOND = 10 ether;
    uint256 internal constant BOUNTY = 1_000_000e18;

    address internal owner = address(0xA11CE);
    address internal treasury = address(0x7EA5);
    address internal aggregator = address(0xA66);
    uint256 internal clientKey = 0xC11E47;
    address internal client;

    TrainingToken internal token;
    ModelRegistry internal registry;
    TaskCoordinator internal coordinator;
    TaskIntake internal intake;
    TestGateway internal gwHome;
    TestGateway internal gwB;
    TestGateway internal gwC;
    WorkerHub internal hubHome;
    WorkerHub internal hubB;
    WorkerHub internal hubC;
    RewardVault internal vaultB;
    RewardVault internal vaultC;
    uint64 internal modelId;

    mapping(address gateway => uint256) internal relayed;

    function setUpProtocol() internal {
        pvm.warp(1_800_000_000);
        client = pvm.addr(clientKey);
        token = new TrainingToken(owner);
        registry = new ModelRegistry(owner);
        gwHome = new TestGateway();
        gwB = new TestGateway();
        gwC = new TestGateway();
        coordinator = new TaskCoordinator(
            address(gwHome), IERC20(address(token)), registry, HOME, owner, MIN_AGG_BOND, 1 days
        );
        intake = new TaskIntake(coordinator);
        hubHome = new WorkerHub(
            address(gwHome), HOME_NAME, address(coordinator), MIN_STAKE, UNBONDING_DELAY, treasury
        );
        hubB = new WorkerHub(
            address(gwB), HOME_NAME, address(coordinator), MIN_STAKE, UNBONDING_DELAY, treasury
        );
        hubC = new WorkerHub(
            address(gwC), HOME_NAME, address(coordinator), MIN_STAKE, UNBONDING_DELAY, treasury
        );
        vaultB = new RewardVault(address(gwB), CHAIN_B, HOME_NAME, address(coordinator));
        vaultC = new RewardVault(address(gwC), CHAIN_C, HOME_NAME, address(coordinator));
        pvm.startPrank(owner);
        registry.setCoordinator(address(coordinator));
        coordinator.setTaskIntake(address(intake));
        coordinator.setChain(HOME, HOME_NAME, address(hubHome), address(0));
        coordinator.setChain(CHAIN_B, B_NAME, address(hubB), address(vaultB));
        coordinator.setChain(CHAIN_C, C_NAME, address(hubC), address(vaultC));
        token.mint(client, 10 * BOUNTY);
        pvm.stopPrank();
        modelId = registry.registerModel(keccak256("mlp-784-128-10"), keccak256("init"), "ipfs://m");
        pvm.deal(aggregator, 100 ether);
        pvm.prank(aggregator);
        coordinator.bondAggregator{value: MIN_AGG_BOND}();
    }

    // ------------------------------------------------------------------ specs and tasks

    function defaultSpec() internal view returns (ITaskCoordinator.TaskSpec memory spec) {
        uint64[] memory chains = new uint64[](3);
        chains[0] = HOME;
        chains[1] = CHAIN_B;
        chains[2] = CHAIN_C;
        spec = ITaskCoordinator.TaskSpec({
            modelId: modelId,
            datasetRoot: keccak256("mnist"),
            rounds: 2,
            minContributors: 1,
            maxContributors: 10_000,
            maxWeight: 1_000_000,
            startTime: uint64(block.timestamp + 100),
            roundPeriod: 1000,
            commitWindow: 300,
            revealWindow: 300,
            aggregateWindow: 200,
            challengeWindow: 100,
            clipBound: 1 << 32,
            expMin: -8,
            expMax: 8,
            rule: ITaskCoordinator.AggregationRule.FedAvg,
            ruleParam: 0,
            chainIds: chains
        });
    }

    function postTask(ITaskCoordinator.TaskSpec memory spec, uint256 bounty)
        internal
        returns (uint256 taskId)
    {
        pvm.startPrank(client);
        token.approve(address(coordinator), bounty);
        taskId = coordinator.postTask(spec, bounty);
        pvm.stopPrank();
        relayAll();
    }

    function postDefaultTask() internal returns (uint256) {
        return postTask(defaultSpec(), BOUNTY);
    }

    // ------------------------------------------------------------------ time

    function warpToCommit(uint256 taskId, uint16 round) internal {
        (uint256 commitDeadline,,) = coordinator.roundDeadlines(taskId, round);
        ITaskCoordinator.TaskSpec memory spec = coordinator.taskSpec(taskId);
        pvm.warp(commitDeadline - spec.commitWindow);
    }

    function warpToReveal(uint256 taskId, uint16 round) internal {
        (uint256 commitDeadline,,) = coordinator.roundDeadlines(taskId, round);
        pvm.warp(commitDeadline);
    }

    function warpToAggregate(uint256 taskId, uint16 round) internal {
        (, uint256 revealDeadline,) = coordinator.roundDeadlines(taskId, round);
        pvm.warp(revealDeadline);
    }

    // ------------------------------------------------------------------ workers

    function registerWorker(WorkerHub hub, address worker) internal {
        pvm.deal(worker, worker.balance + MIN_STAKE);
        pvm.prank(worker);
        hub.register{value: MIN_STAKE}();
    }

    function commitment(
        WorkerHub hub,
        address worker,
        bytes32 updateRoot,
        uint64 samples,
        bytes32 salt
    ) internal pure returns (bytes32) {
        return hub.commitmentOf(updateRoot, samples, dataRootOf(worker), salt, worker);
    }

    function dataRootOf(address worker) internal pure returns (bytes32) {
        return keccak256(abi.encode("data", worker));
    }

    // ------------------------------------------------------------------ rounds

    function commitRoundAs(
        uint256 taskId,
        uint16 round,
        bytes32 contributionsRoot,
        uint32 contributors,
        uint64[] memory chainWeights
    ) internal {
        uint64 total;
        for (uint256 i = 0; i < chainWeights.length; ++i) {
            total += chainWeights[i];
        }
        pvm.prank(aggregator);
        coordinator.commitRound(
            taskId,
            round,
            keccak256(abi.encode("model", taskId, round)),
            contributionsRoot,
            total,
            contributors,
            chainWeights
        );
    }

    function weights3(uint64 a, uint64 b, uint64 c) internal pure returns (uint64[] memory w) {
        w = new uint64[](3);
        w[0] = a;
        w[1] = b;
        w[2] = c;
    }

    // ------------------------------------------------------------------ Merkle trees

    function merkleRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        uint256 width = 1;
        while (width < n) width <<= 1;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < n; ++i) {
            level[i] = leaves[i];
        }
        while (width > 1) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleSha256.nodeHash(level[2 * i], level[2 * i + 1]);
            }
        }
        return level[0];
    }

    function merkleProof(bytes32[] memory leaves, uint256 index)
        internal
        pure
        returns (bytes32[] memory proof)
    {
        uint256 width = 1;
        uint256 depth;
        while (width < leaves.length) {
            width <<= 1;
            ++depth;
        }
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            level[i] = leaves[i];
        }
        proof = new bytes32[](depth);
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = level[index ^ 1];
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = MerkleSha256.nodeHash(level[2 * i], level[2 * i + 1]);
            }
            index >>= 1;
        }
    }

    /// @notice A proof of `depth` pseudo-random siblings for `leaf` at `index` and the root it
    ///         leads to: a valid position in a tree of 2^depth leaves, without building the tree.
    function syntheticProof(bytes32 leaf, uint256 index, uint256 depth)
        internal
        pure
        returns (bytes32 root, bytes32[] memory proof)
    {
        proof = new bytes32[](depth);
        root = leaf;
        for (uint256 d = 0; d < depth; ++d) {
            proof[d] = keccak256(abi.encode("sibling", d));
            root = (index >> d) & 1 == 0
                ? MerkleSha256.nodeHash(root, proof[d])
                : MerkleSha256.nodeHash(proof[d], root);
        }
    }

    // ------------------------------------------------------------------ relaying

    /// @notice Delivers every call recorded on the three gateways since the last relay.
    function relayAll() internal {
        _relayFrom(gwHome, HOME_NAME);
        _relayFrom(gwB, B_NAME);
        _relayFrom(gwC, C_NAME);
    }

    /// @notice Approves and executes the `index`-th call of `source` at its destination.
    function relayOne(TestGateway source, string memory sourceName, uint256 index) internal {
        TestGateway.Call memory call = source.callAt(index);
        TestGateway destination = gatewayOf(call.destinationChain);
        address target = Strings.parseAddress(call.destinationAddress);
        bytes32 commandId = keccak256(abi.encode(address(source), index));
        string memory sender = Strings.toHexString(call.sender);
        destination.approveContractCall(
            commandId, sourceName, sender, target, keccak256(call.payload)
        );
        IAxelarExecutable(target).execute(commandId, sourceName, sender, call.payload);
    }

    function gatewayOf(string memory name) internal view returns (TestGateway) {
        bytes32 h = keccak256(bytes(name));
        if (h == keccak256(bytes(HOME_NAME))) return gwHome;
        if (h == keccak256(bytes(B_NAME))) return gwB;
        if (h == keccak256(bytes(C_NAME))) return gwC;
        revert("unknown chain name");
    }

    /// @notice Delivers `payload` to `target` as if sent by `sender` on chain `sourceName`,
    ///         approving it on `destination` first.
    function deliver(
        TestGateway destination,
        address target,
        string memory sourceName,
        address sender,
        bytes memory payload,
        bytes32 commandId
    ) internal {
        string memory from = Strings.toHexString(sender);
        destination.approveContractCall(commandId, sourceName, from, target, keccak256(payload));
        IAxelarExecutable(target).execute(commandId, sourceName, from, payload);
    }

    function _relayFrom(TestGateway source, string memory sourceName) private {
        uint256 count = source.callCount();
        for (uint256 i = relayed[address(source)]; i < count; ++i) {
            relayOne(source, sourceName, i);
        }
        relayed[address(source)] = count;
    }
}
