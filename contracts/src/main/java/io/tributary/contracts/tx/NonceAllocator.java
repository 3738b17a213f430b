package io.tributary.contracts.tx;

import java.util.TreeSet;

/**
 * Hands out nonces for one key: the lowest given-back nonce first (so a refused transaction leaves no
 * gap that would stall every later one), otherwise the next fresh one. Not thread-safe: the writer
 * guards it.
 */
final class NonceAllocator {

    private long next;
    private final TreeSet<Long> released = new TreeSet<>();

    NonceAllocator(long next) {
        if (next < 0) {
            throw new IllegalArgumentException("nonce must not be negative, was " + next);
        }
        this.next = next;
    }

    long allocate() {
        Long reused = released.pollFirst();
        return reused != null ? reused : next++;
    }

    /** Gives back a nonce that will never be broadcast. */
    void release(long nonce) {
        if (nonce >= next || released.contains(nonce)) {
            throw new IllegalArgumentException("nonce " + nonce + " was not handed out (next " + next + ")");
        }
        if (nonce == next - 1) {
            next--;
            while (!released.isEmpty() && released.last() == next - 1) {
                next = released.pollLast();
            }
        } else {
            released.add(nonce);
        }
    }

    /**
     * The chain says nonces below {@code floor} are used: forget given-back nonces below it and never
     * hand one out below it.
     */
    void raiseFloor(long floor) {
        released.headSet(floor).clear();
        if (next < floor) {
            next = floor;
        }
    }

    long next() {
        return next;
    }

    java.util.SortedSet<Long> released() {
        return java.util.Collections.unmodifiableSortedSet(released);
    }
}
