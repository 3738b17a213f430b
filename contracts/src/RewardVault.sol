// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {
    AxelarExecutable
} from "@axelar-network/axelar-gmp-sdk-solidity/contracts/executable/AxelarExecutable.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {MerkleSha256} from "./libraries/MerkleSha256.sol";
import {Messages} from "./libraries/Messages.sol";

/// @title RewardVault
/// @notice Participant chains. Learns of finalized rounds (contributions root, this chain's
///         weight and share) from the home chain's TaskCoordinator through the gateway, mints the
///         wrapped reward token 1:1 to workers who claim with the same Merkle proof as on home, and
///         burns it on the way back: `returnToHome` sends a message that releases the locked
///         amount from home escrow to a recipient there.
/// @dev The vault is itself the wrapped ERC-20 ("wTRN"). Its supply plus the shares not yet
///      claimed never exceeds what home holds locked for this chain.
contract RewardVault is ERC20, AxelarExecutable {
    /// @notice No finalized round is known for (taskId, round).
    error RewardVaultUnknownRound(uint256 taskId, uint16 round);
    /// @notice The round was already announced.
    error RewardVaultDuplicateRound(uint256 taskId, uint16 round);
    /// @notice The proof does not lead from the contribution leaf to the round's root.
    error RewardVaultInvalidProof();
    /// @notice This worker was already paid for this round.
    error RewardVaultAlreadyClaimed(uint256 taskId, uint16 round, address worker);
    /// @notice The claims of a round would mint more than the chain's share (a malformed tree).
    error RewardVaultShareExceeded(uint256 taskId, uint16 round);
    /// @notice The message does not come from the coordinator on the home chain.
    error RewardVaultUntrustedSource(string sourceChain, string sourceAddress);
    /// @notice The message kind is not one the vault handles.
    error RewardVaultUnknownMessage(uint8 kind);
    /// @notice A zero amount, recipient, root or weight.
    error RewardVaultZeroArgument();

    /// @notice The coordinator announced this chain's share of a finalized round.
    event RoundFunded(
        uint256 indexed taskId,
        uint16 indexed round,
        bytes32 contributionsRoot,
        uint64 chainWeight,
        uint256 chainShare
    );
    /// @notice A worker's reward was minted.
    event RewardClaimed(
        uint256 indexed taskId, uint16 indexed round, address indexed worker, uint256 amount
    );
    /// @notice Wrapped reward was burned; a message asks home to release `amount` to `recipient`.
    event ReturnedToHome(address indexed from, address indexed recipient, uint256 amount);

    /// @notice One finalized round's share for this chain.
    struct Grant {
        bytes32 contributionsRoot;
        uint64 chainWeight;
        uint128 chainShare;
        uint128 minted;
    }

    uint64 private immutable _chainId;
    address private immutable _coordinator;
    bytes32 private immutable _homeChainHash;
    string private _homeChain;
    string private _coordinatorString;

    uint256 private _totalGranted;
    mapping(uint256 taskId => mapping(uint16 round => Grant)) private _grants;
    mapping(bytes32 claimKey => bool) private _claimed;

    /// @param gateway_ This chain's gateway.
    /// @param chainId This chain's id, as in the contribution leaves of its workers.
    /// @param homeChain The gateway name of the home chain.
    /// @param coordinator The TaskCoordinator on the home chain, the only trusted source.
    constructor(address gateway_, uint64 chainId, string memory homeChain, address coordinator)
        ERC20("Tributary Wrapped Training Token", "wTRN")
        AxelarExecutable(gateway_)
    {
        if (chainId == 0 || coordinator == address(0) || bytes(homeChain).length == 0) {
            revert RewardVaultZeroArgument();
        }
        _chainId = chainId;
        _coordinator = coordinator;
        _homeChain = homeChain;
        _homeChainHash = keccak256(bytes(homeChain));
        _coordinatorString = Strings.toHexString(coordinator);
    }

    /// @notice Mints a worker's share of a finalized round: chainShare * weight / chainWeight.
    ///         Anyone may submit; the tokens go to `worker`.
    /// @param taskId The task.
    /// @param round The round.
    /// @param worker The worker (leaf field).
    /// @param updateRoot The worker's revealed update root (leaf field).
    /// @param weight The worker's weight (leaf field).
    /// @param index The leaf's position in the contributions tree.
    /// @param proof The siblings from the leaf up (MerkleSha256).
    function claim(
        uint256 taskId,
        uint16 round,
        address worker,
        bytes32 updateRoot,
        uint64 weight,
        uint256 index,
        bytes32[] calldata proof
    ) external {
        Grant storage g = _grants[taskId][round];
        bytes32 root = g.contributionsRoot;
        if (root == bytes32(0)) revert RewardVaultUnknownRound(taskId, round);
        bytes32 leaf = MerkleSha256.contributionLeaf(_chainId, worker, updateRoot, weight);
        if (!MerkleSha256.verify(proof, root, leaf, index)) revert RewardVaultInvalidProof();
        bytes32 key = keccak256(abi.encode(taskId, round, worker));
        if (_claimed[key]) revert RewardVaultAlreadyClaimed(taskId, round, worker);
        _claimed[key] = true;
        uint256 amount = uint256(g.chainShare) * weight / g.chainWeight;
        // Sum of floor(share * w_i / chainWeight) <= share when the chain's leaves sum to
        // chainWeight; this guards a malformed tree whose leaves weigh more.
        uint256 minted = g.minted + amount;
        if (minted > g.chainShare) revert RewardVaultShareExceeded(taskId, round);
        // minted <= chainShare, a uint128, checked just above.
        // forge-lint: disable-next-line(unsafe-typecast)
        g.minted = uint128(minted);
        _mint(worker, amount);
        emit RewardClaimed(taskId, round, worker, amount);
    }

    /// @notice Burns `amount` of the caller's wrapped reward and asks the home coordinator to
    ///         release as much from escrow to `recipient` on the home chain.
    /// @param amount The amount to return.
    /// @param recipient The receiver on the home chain.
    function returnToHome(uint256 amount, address recipient) external {
        if (amount == 0 || recipient == address(0)) revert RewardVaultZeroArgument();
        _burn(msg.sender, amount);
        emit ReturnedToHome(msg.sender, recipient, amount);
        gateway()
            .callContract(
                _homeChain, _coordinatorString, Messages.encodeRewardReturned(recipient, amount)
            );
    }

    /// @dev Accepts ROUND_FINALIZED from the coordinator only; each (task, round) once.
    function _execute(
        bytes32, /* commandId */
        string calldata sourceChain,
        string calldata sourceAddress,
        bytes calldata payload
    ) internal override {
        (bool parsed, address sender) = Strings.tryParseAddress(sourceAddress);
        if (!parsed || sender != _coordinator || keccak256(bytes(sourceChain)) != _homeChainHash) {
            revert RewardVaultUntrustedSource(sourceChain, sourceAddress);
        }
        uint8 kind = Messages.kind(payload);
        if (kind != Messages.ROUND_FINALIZED) revert RewardVaultUnknownMessage(kind);
        (uint256 taskId, uint16 round, bytes32 root, uint64 chainWeight, uint256 chainShare) =
            Messages.decodeRoundFinalized(payload);
        if (root == bytes32(0) || chainWeight == 0) revert RewardVaultZeroArgument();
        Grant storage g = _grants[taskId][round];
        if (g.contributionsRoot != bytes32(0)) revert RewardVaultDuplicateRound(taskId, round);
        g.contributionsRoot = root;
        g.chainWeight = chainWeight;
        g.chainShare = SafeCast.toUint128(chainShare);
        _totalGranted += chainShare;
        emit RoundFunded(taskId, round, root, chainWeight, chainShare);
    }

    /// @notice This chain's grant for a finalized round (zero if unknown).
    function grantOf(uint256 taskId, uint16 round) external view returns (Grant memory) {
        return _grants[taskId][round];
    }

    /// @notice Whether `worker` was paid for (taskId, round) here.
    function isClaimed(uint256 taskId, uint16 round, address worker) external view returns (bool) {
        return _claimed[keccak256(abi.encode(taskId, round, worker))];
    }

    /// @notice The sum of all chain shares announced to this vault.
    function totalGranted() external view returns (uint256) {
        return _totalGranted;
    }

    /// @notice This chain's id, as in its workers' contribution leaves.
    function localChainId() external view returns (uint64) {
        return _chainId;
    }

    /// @notice The trusted source: the home chain's gateway name and the coordinator.
    function trustedSource()
        external
        view
        returns (string memory homeChain_, address coordinator_)
    {
        return (_homeChain, _coordinator);
    }
}
