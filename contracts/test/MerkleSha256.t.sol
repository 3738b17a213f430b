// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {MerkleSha256} from "../src/libraries/MerkleSha256.sol";
import {Test} from "./utils/Test.sol";

/// @notice Exposes the library's internal functions as external ones, so that proofs arrive as
///         calldata (as they do in a reward claim) and reverts can be expected.
contract MerkleSha256Harness {
    /// @notice See {MerkleSha256.leafHash}.
    function leafHash(bytes calldata leafBytes) external pure returns (bytes32) {
        return MerkleSha256.leafHash(leafBytes);
    }

    /// @notice See {MerkleSha256.nodeHash}.
    function nodeHash(bytes32 left, bytes32 right) external pure returns (bytes32) {
        return MerkleSha256.nodeHash(left, right);
    }

    /// @notice See {MerkleSha256.contributionLeaf}.
    function contributionLeaf(uint64 chainId, address worker, bytes32 updateRoot, uint64 weight)
        external
        pure
        returns (bytes32)
    {
        return MerkleSha256.contributionLeaf(chainId, worker, updateRoot, weight);
    }

    /// @notice See {MerkleSha256.processProof}.
    function processProof(bytes32[] calldata proof, bytes32 leaf, uint256 index)
        external
        view
        returns (bytes32)
    {
        return MerkleSha256.processProof(proof, leaf, index);
    }

    /// @notice See {MerkleSha256.verify}.
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf, uint256 index)
        external
        view
        returns (bool)
    {
        return MerkleSha256.verify(proof, root, leaf, index);
    }
}

contract MerkleSha256Test is Test {
    /// @dev Gas allowed for one external `verify` of a depth-14 proof (~10,000 contributors),
    ///      including the call into a cold contract and the calldata.
    uint256 internal constant VERIFY_DEPTH_14_GAS_BUDGET = 12_000;

    /// @dev Largest tree the fuzz tests build (depth 6 once padded).
    uint256 internal constant MAX_FUZZ_LEAVES = 40;

    /// @dev ds-test's logging event, which forge prints with -vv.
    event log_named_uint(string key, uint256 val);

    MerkleSha256Harness internal merkle;
    string internal vectors;

    function setUp() public {
        merkle = new MerkleSha256Harness();
        vectors = vm.readFile(string.concat(vm.projectRoot(), "/test/vectors/merkle-v1.json"));
    }

    // ---------------------------------------------------------------- fixed vectors

    function test_LeafHashOfEmptyBytesIsSha256OfTheZeroPrefix() public view {
        // sha256(0x00), a well-known constant.
        vm.assertEq(
            merkle.leafHash(""),
            0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d,
            "leafHash(empty)"
        );
    }

    function test_LeafHashMatchesVectors() public view {
        uint256 i;
        for (; vm.keyExistsJson(vectors, _key(".leafHashes", i)); ++i) {
            string memory k = _key(".leafHashes", i);
            bytes memory leafBytes = vm.parseJsonBytes(vectors, string.concat(k, ".leafBytes"));
            vm.assertEq(
                merkle.leafHash(leafBytes),
                vm.parseJsonBytes32(vectors, string.concat(k, ".leafHash")),
                k
            );
        }
        vm.assertEq(i, 8, "number of leaf hash vectors");
    }

    function test_NodeHashMatchesVectors() public view {
        uint256 i;
        for (; vm.keyExistsJson(vectors, _key(".nodeHashes", i)); ++i) {
            string memory k = _key(".nodeHashes", i);
            vm.assertEq(
                merkle.nodeHash(
                    vm.parseJsonBytes32(vectors, string.concat(k, ".left")),
                    vm.parseJsonBytes32(vectors, string.concat(k, ".right"))
                ),
                vm.parseJsonBytes32(vectors, string.concat(k, ".hash")),
                k
            );
        }
        vm.assertEq(i, 4, "number of node hash vectors");
    }

    function test_ContributionLeafMatchesVectors() public view {
        uint256 i;
        for (; vm.keyExistsJson(vectors, _key(".contributions", i)); ++i) {
            string memory k = _key(".contributions", i);
            uint64 chainId = uint64(vm.parseJsonUint(vectors, string.concat(k, ".chainId")));
            address worker = vm.parseJsonAddress(vectors, string.concat(k, ".worker"));
            bytes32 updateRoot = vm.parseJsonBytes32(vectors, string.concat(k, ".updateRoot"));
            uint64 weight = uint64(vm.parseJsonUint(vectors, string.concat(k, ".weight")));
            bytes memory leafBytes = abi.encodePacked(chainId, worker, updateRoot, weight);
            vm.assertEq(leafBytes.length, 68, "contribution leaf length");
            vm.assertEq(leafBytes, vm.parseJsonBytes(vectors, string.concat(k, ".leafBytes")), k);
            bytes32 expected = vm.parseJsonBytes32(vectors, string.concat(k, ".leafHash"));
            vm.assertEq(merkle.contributionLeaf(chainId, worker, updateRoot, weight), expected, k);
            vm.assertEq(merkle.leafHash(leafBytes), expected, k);
        }
        vm.assertEq(i, 3, "number of contribution vectors");
    }

    function test_TreesAndProofsMatchVectors() public view {
        uint256 t;
        for (; vm.keyExistsJson(vectors, _key(".trees", t)); ++t) {
            string memory k = _key(".trees", t);
            uint256 size = vm.parseJsonUint(vectors, string.concat(k, ".size"));
            bytes32 root = vm.parseJsonBytes32(vectors, string.concat(k, ".root"));
            bytes32[] memory leaves = new bytes32[](size);
            for (uint256 i = 0; i < size; ++i) {
                string memory li = string.concat("[", vm.toString(i), "]");
                leaves[i] =
                    merkle.leafHash(vm.parseJsonBytes(vectors, string.concat(k, ".leafBytes", li)));
                vm.assertEq(
                    leaves[i], vm.parseJsonBytes32(vectors, string.concat(k, ".leaves", li)), k
                );
            }
            bytes32[][] memory levels = _levels(leaves);
            vm.assertEq(_root(levels), root, k);
            vm.assertEq(levels.length - 1, vm.parseJsonUint(vectors, string.concat(k, ".depth")), k);
            for (uint256 i = 0; i < size; ++i) {
                bytes32[] memory proof = vm.parseJsonBytes32Array(
                    vectors, string.concat(k, ".proofs[", vm.toString(i), "]")
                );
                vm.assertEq(
                    keccak256(abi.encode(proof)), keccak256(abi.encode(_proof(levels, i))), k
                );
                vm.assertTrue(merkle.verify(proof, root, leaves[i], i), k);
                vm.assertEq(merkle.processProof(proof, leaves[i], i), root, k);
            }
        }
        vm.assertEq(t, 10, "number of tree vectors");
    }

    function test_SingleLeafRootIsItsLeafHash() public view {
        bytes32 leaf = merkle.leafHash("only");
        bytes32[] memory empty = new bytes32[](0);
        vm.assertTrue(merkle.verify(empty, leaf, leaf, 0), "single leaf at 0");
        vm.assertFalse(merkle.verify(empty, leaf, leaf, 1), "single leaf at 1");
        vm.assertFalse(merkle.verify(empty, bytes32(0), leaf, 0), "single leaf, other root");
    }

    function test_RevertIf_ProcessProofIndexBeyondDepth() public {
        bytes32[] memory proof = new bytes32[](3);
        vm.expectRevert(
            abi.encodeWithSelector(MerkleSha256.MerkleSha256IndexOutOfRange.selector, 8, 3)
        );
        merkle.processProof(proof, bytes32(0), 8);
    }

    // ---------------------------------------------------------------- fuzzing

    function testFuzz_VerifyAcceptsEveryIndexOfARandomTree(uint256 seed, uint256 n) public view {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        bytes32[] memory leaves = _randomLeaves(seed, n);
        bytes32[][] memory levels = _levels(leaves);
        bytes32 root = _root(levels);
        for (uint256 i = 0; i < n; ++i) {
            bytes32[] memory proof = _proof(levels, i);
            vm.assertTrue(merkle.verify(proof, root, leaves[i], i), "valid proof rejected");
            vm.assertEq(merkle.processProof(proof, leaves[i], i), root, "processProof");
        }
    }

    function testFuzz_VerifyRejectsAFlippedSibling(
        uint256 seed,
        uint256 n,
        uint256 index,
        uint256 level,
        uint8 bit
    ) public view {
        n = bound(n, 2, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _randomLeaves(seed, n);
        bytes32[][] memory levels = _levels(leaves);
        bytes32[] memory proof = _proof(levels, index);
        level = bound(level, 0, proof.length - 1);
        proof[level] ^= bytes32(uint256(1) << bit);
        vm.assertFalse(merkle.verify(proof, _root(levels), leaves[index], index), "flipped sibling");
    }

    function testFuzz_VerifyRejectsAWrongIndex(
        uint256 seed,
        uint256 n,
        uint256 index,
        uint256 other
    ) public view {
        n = bound(n, 2, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _randomLeaves(seed, n);
        bytes32[][] memory levels = _levels(leaves);
        bytes32[] memory proof = _proof(levels, index);
        // Any other index, inside the padded width or beyond it.
        other = bound(other, 0, (uint256(1) << proof.length) * 2);
        vm.assume(other != index);
        vm.assertFalse(merkle.verify(proof, _root(levels), leaves[index], other), "wrong index");
    }

    function testFuzz_VerifyRejectsAWrongLeaf(uint256 seed, uint256 n, uint256 index, bytes32 leaf)
        public
        view
    {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _randomLeaves(seed, n);
        vm.assume(leaf != leaves[index]);
        bytes32[][] memory levels = _levels(leaves);
        vm.assertFalse(
            merkle.verify(_proof(levels, index), _root(levels), leaf, index), "wrong leaf"
        );
    }

    function testFuzz_VerifyRejectsIndexBeyondDepth(uint256 seed, uint256 index) public {
        bytes32[] memory leaves = _randomLeaves(seed, 5);
        bytes32[][] memory levels = _levels(leaves);
        bytes32[] memory proof = _proof(levels, 4);
        // index & 7 == 4 keeps every step identical to the valid proof: only the leftover bits
        // above the depth tell the two apart.
        index = (bound(index, 1, type(uint256).max >> 3) << 3) | 4;
        vm.assertFalse(merkle.verify(proof, _root(levels), leaves[4], index), "aliased index");
        vm.expectRevert(
            abi.encodeWithSelector(MerkleSha256.MerkleSha256IndexOutOfRange.selector, index, 3)
        );
        merkle.processProof(proof, leaves[4], index);
    }

    // ---------------------------------------------------------------- gas

    function test_VerifyDepth14ProofWithinGasBudget() public {
        uint256 depth = 14;
        uint256 index = 0x2a5c; // 10,844: a mix of left and right steps below 2**14
        bytes32 leaf = merkle.contributionLeaf(31337, address(0xBEEF), keccak256("update"), 7);
        bytes32[] memory proof = new bytes32[](depth);
        bytes32 root = leaf;
        for (uint256 level = 0; level < depth; ++level) {
            proof[level] = keccak256(abi.encode("sibling", level));
            root = (index >> level) & 1 == 0
                ? sha256(abi.encodePacked(bytes1(0x01), root, proof[level]))
                : sha256(abi.encodePacked(bytes1(0x01), proof[level], root));
        }
        uint256 before = gasleft();
        bool ok = merkle.verify(proof, root, leaf, index);
        uint256 used = before - gasleft();
        vm.assertTrue(ok, "depth-14 proof rejected");
        emit log_named_uint("gas: verify, depth 14, external call", used);
        vm.assertLe(used, VERIFY_DEPTH_14_GAS_BUDGET, "depth-14 verify over its gas budget");
    }

    // ---------------------------------------------------------------- tree builder

    /// @dev Levels of the tree over `leaves`: padded leaf hashes first, the root's level last.
    function _levels(bytes32[] memory leaves) internal view returns (bytes32[][] memory levels) {
        uint256 width = 1;
        uint256 depth = 0;
        while (width < leaves.length) {
            width <<= 1;
            ++depth;
        }
        levels = new bytes32[][](depth + 1);
        levels[0] = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; ++i) {
            levels[0][i] = leaves[i];
        }
        for (uint256 l = 1; l <= depth; ++l) {
            bytes32[] memory below = levels[l - 1];
            bytes32[] memory level = new bytes32[](below.length / 2);
            for (uint256 i = 0; i < level.length; ++i) {
                level[i] = merkle.nodeHash(below[2 * i], below[2 * i + 1]);
            }
            levels[l] = level;
        }
    }

    function _root(bytes32[][] memory levels) internal pure returns (bytes32) {
        return levels[levels.length - 1][0];
    }

    function _proof(bytes32[][] memory levels, uint256 index)
        internal
        pure
        returns (bytes32[] memory proof)
    {
        proof = new bytes32[](levels.length - 1);
        for (uint256 l = 0; l < proof.length; ++l) {
            proof[l] = levels[l][index ^ 1];
            index >>= 1;
        }
    }

    function _randomLeaves(uint256 seed, uint256 n)
        internal
        view
        returns (bytes32[] memory leaves)
    {
        leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            leaves[i] = merkle.leafHash(abi.encode(seed, i));
        }
    }

    function _key(string memory array, uint256 i) internal pure returns (string memory) {
        return string.concat(array, "[", vm.toString(i), "]");
    }
}
