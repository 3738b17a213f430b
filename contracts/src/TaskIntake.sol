// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

// A signed request's deadline is a unix time checked against block.timestamp on purpose: it is
// minutes to hours away, far above the few seconds a proposer can skew a timestamp.
// forge-lint: disable-start(block-timestamp)

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {TaskCoordinator} from "./TaskCoordinator.sol";
import {ITaskCoordinator} from "./interfaces/ITaskCoordinator.sol";

/// @title TaskIntake
/// @notice Home chain. Takes a client's EIP-712 TaskRequest and ERC-2612 permit from a relayer
///         (who pays the gas), checks deadline, nonce and signature, applies the permit of the
///         bounty to the coordinator and has the coordinator post the task for the client
///         ({TaskCoordinator.postTaskOnBehalf}). Kept apart from the coordinator so that both stay
///         under EIP-170's 24,576 bytes of code.
contract TaskIntake is EIP712 {
    /// @notice The coordinator is the zero address.
    error TaskIntakeNoCoordinator();
    /// @notice The signed request's deadline has passed.
    error TaskIntakeRequestExpired(uint256 deadline);
    /// @notice The signed request's nonce is not the client's next nonce.
    error TaskIntakeBadNonce(uint256 expected, uint256 given);
    /// @notice The request was not signed by its client.
    error TaskIntakeBadSignature(address recovered, address client);

    /// @notice The EIP-712 type of a task spec.
    bytes32 public constant TASK_SPEC_TYPEHASH = keccak256(
        "TaskSpec(uint64 modelId,bytes32 datasetRoot,uint16 rounds,uint32 minContributors,"
        "uint32 maxContributors,uint64 maxWeight,uint64 startTime,uint32 roundPeriod,"
        "uint32 commitWindow,uint32 revealWindow,uint32 aggregateWindow,uint32 challengeWindow,"
        "uint64 clipBound,int8 expMin,int8 expMax,uint8 rule,uint16 ruleParam,uint64[] chainIds)"
    );
    /// @notice The EIP-712 type of a task request (referencing TaskSpec).
    bytes32 public constant TASK_REQUEST_TYPEHASH = keccak256(
        "TaskRequest(address client,uint256 bounty,uint256 nonce,uint256 deadline,TaskSpec spec)"
        "TaskSpec(uint64 modelId,bytes32 datasetRoot,uint16 rounds,uint32 minContributors,"
        "uint32 maxContributors,uint64 maxWeight,uint64 startTime,uint32 roundPeriod,"
        "uint32 commitWindow,uint32 revealWindow,uint32 aggregateWindow,uint32 challengeWindow,"
        "uint64 clipBound,int8 expMin,int8 expMax,uint8 rule,uint16 ruleParam,uint64[] chainIds)"
    );

    TaskCoordinator private immutable _coordinator;
    IERC20Permit private immutable _token;

    mapping(address client => uint256) private _nonces;

    /// @param coordinator_ The coordinator that posts the tasks (it must name this contract in
    ///        `setTaskIntake`); the permit token is its escrow token.
    constructor(TaskCoordinator coordinator_) EIP712("Tributary TaskIntake", "1") {
        if (address(coordinator_) == address(0)) revert TaskIntakeNoCoordinator();
        _coordinator = coordinator_;
        _token = IERC20Permit(address(coordinator_.token()));
    }

    /// @notice Posts a task for a client who signed an EIP-712 TaskRequest and an ERC-2612 permit
    ///         of the bounty to the coordinator, so that a relayer pays the gas. A permit that
    ///         fails (e.g. already used by a front runner) is ignored when the allowance is there.
    /// @param request The signed request.
    /// @param signature The client's 65-byte signature over the request's EIP-712 digest.
    /// @param permit The client's permit of the bounty to the coordinator.
    /// @return taskId The new task's id.
    function postTaskFor(
        ITaskCoordinator.TaskRequest calldata request,
        bytes calldata signature,
        ITaskCoordinator.Permit calldata permit
    ) external returns (uint256 taskId) {
        if (block.timestamp > request.deadline) {
            revert TaskIntakeRequestExpired(request.deadline);
        }
        uint256 expected = _nonces[request.client];
        if (request.nonce != expected) revert TaskIntakeBadNonce(expected, request.nonce);
        (address recovered, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(hashTaskRequest(request), signature);
        if (err != ECDSA.RecoverError.NoError || recovered != request.client) {
            revert TaskIntakeBadSignature(recovered, request.client);
        }
        _nonces[request.client] = expected + 1;
        try _token.permit(
            request.client,
            address(_coordinator),
            permit.value,
            permit.deadline,
            permit.v,
            permit.r,
            permit.s
        ) {}
            catch {}
        return _coordinator.postTaskOnBehalf(request.client, request.spec, request.bounty);
    }

    /// @notice The EIP-712 digest a client signs for `request`.
    function hashTaskRequest(ITaskCoordinator.TaskRequest calldata request)
        public
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    TASK_REQUEST_TYPEHASH,
                    request.client,
                    request.bounty,
                    request.nonce,
                    request.deadline,
                    hashTaskSpec(request.spec)
                )
            )
        );
    }

    /// @notice The EIP-712 struct hash of a task spec.
    function hashTaskSpec(ITaskCoordinator.TaskSpec calldata spec) public pure returns (bytes32) {
        // Two abi.encode halves of static words concatenate to one abi.encode (stack depth).
        return keccak256(
            bytes.concat(
                abi.encode(
                    TASK_SPEC_TYPEHASH,
                    spec.modelId,
                    spec.datasetRoot,
                    spec.rounds,
                    spec.minContributors,
                    spec.maxContributors,
                    spec.maxWeight,
                    spec.startTime,
                    spec.roundPeriod
                ),
                abi.encode(
                    spec.commitWindow,
                    spec.revealWindow,
                    spec.aggregateWindow,
                    spec.challengeWindow,
                    spec.clipBound,
                    spec.expMin,
                    spec.expMax,
                    uint8(spec.rule),
                    spec.ruleParam,
                    keccak256(abi.encodePacked(spec.chainIds))
                )
            )
        );
    }

    /// @notice The next nonce `client` must sign.
    function nonceOf(address client) external view returns (uint256) {
        return _nonces[client];
    }

    /// @notice The coordinator that posts the tasks.
    function coordinator() external view returns (TaskCoordinator) {
        return _coordinator;
    }
}
// forge-lint: disable-end(block-timestamp)
