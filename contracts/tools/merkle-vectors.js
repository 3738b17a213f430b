#!/usr/bin/env node
// Writes test/vectors/merkle-v1.json: test vectors of Tributary's SHA-256 Merkle scheme v1,
// computed independently of the Solidity library with Node's crypto. The forge tests
// (test/MerkleSha256.t.sol) and the Java side both check themselves against this file.
//
//   node tools/merkle-vectors.js           rewrite the file
//   node tools/merkle-vectors.js --check   fail if the file differs from what this script computes
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const OUT = path.resolve(__dirname, '..', 'test', 'vectors', 'merkle-v1.json');
const ZERO = Buffer.alloc(32);

const sha256 = (...parts) => crypto.createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (leafBytes) => sha256(Buffer.from([0x00]), leafBytes);
const nodeHash = (left, right) => sha256(Buffer.from([0x01]), left, right);
const hex = (buf) => '0x' + buf.toString('hex');

// Levels of the tree, bottom (padded leaf hashes) first, root level last.
function levels(leafHashes) {
  let width = 1;
  while (width < leafHashes.length) width *= 2;
  let level = leafHashes.concat(Array(width - leafHashes.length).fill(ZERO));
  const all = [level];
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    all.push(next);
    level = next;
  }
  return all;
}

function proof(treeLevels, index) {
  const siblings = [];
  for (let l = 0; l < treeLevels.length - 1; l++) {
    siblings.push(treeLevels[l][index ^ 1]);
    index >>= 1;
  }
  return siblings;
}

function verify(siblings, root, leaf, index) {
  let h = leaf;
  for (const s of siblings) {
    h = (index & 1) === 0 ? nodeHash(h, s) : nodeHash(s, h);
    index >>= 1;
  }
  return h.equals(root) && index === 0;
}

function uint64(value) {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(value));
  return b;
}

function contribution(chainId, worker, updateRoot, weight) {
  const leafBytes = Buffer.concat([uint64(chainId), Buffer.from(worker.slice(2), 'hex'), updateRoot, uint64(weight)]);
  if (leafBytes.length !== 68) throw new Error('contribution leaf must be 68 bytes');
  return {
    // uint64 values above 2**53 do not survive JSON numbers in every parser: decimal strings.
    chainId: chainId.toString(10),
    worker,
    updateRoot: hex(updateRoot),
    weight: weight.toString(10),
    leafBytes: hex(leafBytes),
    leafHash: hex(leafHash(leafBytes)),
  };
}

function build() {
  const leafInputs = [
    Buffer.alloc(0),
    Buffer.from([0x00]),
    Buffer.from([0x01]),
    Buffer.from('tributary', 'utf8'),
    Buffer.alloc(32, 0xff),
    Buffer.alloc(64, 0xab),
    Buffer.alloc(65, 0x5a),
    Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  ];
  const leafHashes = leafInputs.map((b) => ({ leafBytes: hex(b), leafHash: hex(leafHash(b)) }));

  const pairs = [
    [ZERO, ZERO],
    [Buffer.alloc(32, 0x11), Buffer.alloc(32, 0x22)],
    [Buffer.alloc(32, 0x22), Buffer.alloc(32, 0x11)],
    [leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))],
  ];
  const nodeHashes = pairs.map(([l, r]) => ({ left: hex(l), right: hex(r), hash: hex(nodeHash(l, r)) }));

  const trees = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17].map((n) => {
    const leafBytes = Array.from({ length: n }, (_, i) => Buffer.from(`tributary leaf ${i} of ${n}`, 'utf8'));
    const leaves = leafBytes.map(leafHash);
    const tree = levels(leaves);
    const root = tree[tree.length - 1][0];
    const proofs = leaves.map((leaf, i) => {
      const p = proof(tree, i);
      if (!verify(p, root, leaf, i)) throw new Error(`self-check failed: n=${n} i=${i}`);
      return p.map(hex);
    });
    return { size: n, depth: tree.length - 1, leafBytes: leafBytes.map(hex), leaves: leaves.map(hex), root: hex(root), proofs };
  });

  const contributions = [
    contribution(1n, '0x0000000000000000000000000000000000000000', ZERO, 0n),
    contribution(31337n, '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266', sha256(Buffer.from('update')), 1000n),
    contribution(0xffffffffffffffffn, '0xffffffffffffffffffffffffffffffffffffffff', Buffer.alloc(32, 0xff), 0xffffffffffffffffn),
  ];
  return { leafHashes, nodeHashes, trees, contributions };
}

function render() {
  const v = build();
  const doc = {
    version: 1,
    scheme:
      'H = SHA-256; leafHash = H(0x00 || leafBytes); nodeHash = H(0x01 || left || right); ' +
      'n >= 1 leaf hashes padded with bytes32(0) to the next power of two, combined level by level; ' +
      'proof = siblings bottom-up; verify: bit 0 of index 0 -> H(0x01||h||s), 1 -> H(0x01||s||h), index >>= 1; ' +
      'accept iff h == root and index == 0. contribution leafBytes = uint64 chainId || address worker || ' +
      'bytes32 updateRoot || uint64 weight (68 bytes, big-endian).',
    generator: 'contracts/tools/merkle-vectors.js',
    ...v,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

const text = render();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (current !== text) {
    process.stderr.write(`${path.relative(process.cwd(), OUT)} is out of date: run node tools/merkle-vectors.js\n`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(OUT, text);
}
