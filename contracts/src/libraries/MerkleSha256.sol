// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title MerkleSha256
/// @notice Tributary's Merkle trees (model updates, round contributions, data provenance), verified
///         on-chain with the SHA-256 precompile.
/// @dev Scheme v1, shared bit for bit with the Java side and pinned by `test/vectors/merkle-v1.json`:
///      - H = SHA-256. Leaf hash = H(0x00 || leafBytes); node hash = H(0x01 || left || right). The
///        two prefixes keep a leaf from ever being read as an inner node.
///      - A tree over n >= 1 leaf hashes is padded with bytes32(0) to the next power of two, then
///        pairs are combined level by level. The root of a single leaf is its leaf hash.
///      - The proof for index i lists the siblings bottom-up. At each level bit 0 of i says whether
///        the running hash is the left (0) or the right (1) child, then i is shifted right by one.
///        A proof is accepted iff the result equals the root and no bit of i is left over, so every
///        leaf has exactly one accepted (proof, index) pair per tree.
library MerkleSha256 {
    /// @notice The index does not fit a tree of `depth` levels (it must be below 2**depth).
    error MerkleSha256IndexOutOfRange(uint256 index, uint256 depth);

    /// @notice Hashes the bytes of one leaf: H(0x00 || leafBytes).
    /// @param leafBytes The leaf's content, any length.
    /// @return The leaf hash, as it appears at the bottom of the tree.
    function leafHash(bytes memory leafBytes) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x00), leafBytes));
    }

    /// @notice Hashes two children into their parent: H(0x01 || left || right).
    /// @param left The left child (the one at the even position).
    /// @param right The right child.
    /// @return The parent node hash.
    function nodeHash(bytes32 left, bytes32 right) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(bytes1(0x01), left, right));
    }

    /// @notice The leaf hash of one worker's contribution to a round, as committed in the round's
    ///         contributions root and claimed against with a proof.
    /// @dev leafBytes = abi.encodePacked(chainId, worker, updateRoot, weight): 8 + 20 + 32 + 8 = 68
    ///      bytes, big-endian, no padding.
    /// @param chainId The chain on which the worker claims its reward.
    /// @param worker The worker's address on that chain.
    /// @param updateRoot The Merkle root of the update the worker revealed.
    /// @param weight The worker's weight in the round's aggregate.
    /// @return The leaf hash H(0x00 || leafBytes).
    function contributionLeaf(uint64 chainId, address worker, bytes32 updateRoot, uint64 weight)
        internal
        pure
        returns (bytes32)
    {
        return sha256(abi.encodePacked(bytes1(0x00), chainId, worker, updateRoot, weight));
    }

    /// @notice Recomputes the root that `proof` leads to from `leaf` at position `index`.
    /// @dev `view` only because it calls the SHA-256 precompile from assembly (see
    ///      {_nodeHashNoAlloc}); it reads no state. Reverts instead of returning a root when `index` has bits above the proof's depth: such a
    ///      pair would alias a valid position and must never be accepted.
    /// @param proof The siblings from the bottom of the tree up; its length is the tree's depth.
    /// @param leaf The leaf hash (see {leafHash}).
    /// @param index The leaf's position in the tree, below 2**proof.length.
    /// @return computed The root implied by the proof.
    function processProof(bytes32[] calldata proof, bytes32 leaf, uint256 index)
        internal
        view
        returns (bytes32 computed)
    {
        uint256 depth = proof.length;
        // A shift by 256 or more yields 0: every index fits a tree that deep.
        if (index >> depth != 0) revert MerkleSha256IndexOutOfRange(index, depth);
        computed = leaf;
        for (uint256 level = 0; level < depth; ++level) {
            bytes32 sibling = proof[level];
            computed = index & 1 == 0
                ? _nodeHashNoAlloc(computed, sibling)
                : _nodeHashNoAlloc(sibling, computed);
            index >>= 1;
        }
    }

    /// @notice Checks that `leaf` sits at position `index` of the tree with root `root`.
    /// @param proof The siblings from the bottom of the tree up.
    /// @param root The tree's root.
    /// @param leaf The leaf hash (see {leafHash} and {contributionLeaf}).
    /// @param index The leaf's position in the tree.
    /// @return True iff the proof leads from the leaf to the root and the index fits the depth.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf, uint256 index)
        internal
        view
        returns (bool)
    {
        if (index >> proof.length != 0) return false;
        return processProof(proof, leaf, index) == root;
    }

    /// @notice {nodeHash} without a memory allocation per call: the 65-byte preimage is written past
    ///         the free memory pointer (scratch that Solidity may overwrite later) and the digest
    ///         lands in the scratch slot 0x00. Measured ~565 instead of ~830 gas per level with the builtin.
    /// @dev Solidity treats a `staticcall` from assembly as a state read, hence `view`.
    /// @param left The left child.
    /// @param right The right child.
    /// @return result H(0x01 || left || right).
    function _nodeHashNoAlloc(bytes32 left, bytes32 right) private view returns (bytes32 result) {
        assembly ("memory-safe") {
            let preimage := mload(0x40)
            mstore8(preimage, 0x01)
            mstore(add(preimage, 0x01), left)
            mstore(add(preimage, 0x21), right)
            // Address 0x02 is the SHA-256 precompile; only running out of gas can make it fail,
            // and then the whole call is lost anyway.
            if iszero(staticcall(gas(), 0x02, preimage, 0x41, 0x00, 0x20)) {
                revert(0, 0)
            }
            result := mload(0x00)
        }
    }
}
