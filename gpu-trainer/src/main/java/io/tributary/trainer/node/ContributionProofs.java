package io.tributary.trainer.node;

import io.tributary.schemas.merkle.Contribution;
import io.tributary.schemas.merkle.MerkleTree;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds a round's contributions tree from the reveals of the round, to prove a worker's leaf
 * when it claims. The tree is the aggregation job's: one {@link Contribution} (chainId, worker,
 * updateRoot, weight) per contributor, leaves sorted by chain id then worker address (lower-case
 * hex). The rebuilt root must equal the contributions root committed on chain; when the job left a
 * revealed update out (its chunks were rejected or late), the reveals alone do not give the root
 * and the claim is reported as unprovable.
 */
public final class ContributionProofs {

    /** One confirmed reveal: the worker's chain, address (0x hex), root and weight. */
    public record Reveal(long chainId, String worker, byte[] updateRoot, long weight) {}

    /** A worker's leaf index and siblings, bottom-up. */
    public record Proof(long index, List<byte[]> siblings) {}

    private ContributionProofs() {}

    /** The sorted contributions of {@code reveals} (one per (chain, worker): the first wins). */
    public static List<Contribution> contributions(List<Reveal> reveals) {
        List<Reveal> sorted = new ArrayList<>(reveals);
        sorted.sort(Comparator.comparingLong(Reveal::chainId).thenComparing(r -> r.worker().toLowerCase(java.util.Locale.ROOT)));
        List<Contribution> out = new ArrayList<>();
        Reveal last = null;
        for (Reveal r : sorted) {
            if (last != null && last.chainId() == r.chainId() && last.worker().equalsIgnoreCase(r.worker())) {
                continue;
            }
            out.add(new Contribution(r.chainId(), HexFormat.of().parseHex(strip(r.worker())), r.updateRoot(), r.weight()));
            last = r;
        }
        return out;
    }

    /**
     * The proof of ({@code chainId}, {@code worker}) under {@code expectedRoot}, or empty if the
     * reveals do not rebuild that root or do not hold the worker.
     */
    public static Optional<Proof> prove(List<Reveal> reveals, long chainId, String worker, byte[] expectedRoot) {
        List<Contribution> contributions = contributions(reveals);
        if (contributions.isEmpty()) {
            return Optional.empty();
        }
        MerkleTree tree = Contribution.tree(contributions);
        if (!Arrays.equals(tree.root(), expectedRoot)) {
            return Optional.empty();
        }
        byte[] address = HexFormat.of().parseHex(strip(worker));
        for (int i = 0; i < contributions.size(); i++) {
            Contribution c = contributions.get(i);
            if (c.chainId() == chainId && Arrays.equals(c.worker(), address)) {
                return Optional.of(new Proof(i, Arrays.asList(tree.proof(i))));
            }
        }
        return Optional.empty();
    }

    private static String strip(String hex) {
        return (hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex).toLowerCase(java.util.Locale.ROOT);
    }
}
