package io.tributary.infra.demo;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The demo's progress: one bar per round with its phase, contributors and chunks admitted and
 * rejected. On a terminal the board is redrawn in place; otherwise (CI, a pipe) a line is printed
 * each time a round changes, so logs stay readable.
 */
public final class ProgressBoard {

    /** A round's phases in order (PROTOCOL.md); FAILED ends a round that was not committed. */
    public enum Phase {
        WAITING("waiting"), COMMITTING("committing"), REVEALING("revealing"), AGGREGATING("aggregating"),
        CHALLENGING("challenging"), FINAL("final"), FAILED("failed");

        final String label;

        Phase(String label) {
            this.label = label;
        }

        /** How far along the bar is, out of {@link #BAR_WIDTH}. */
        int filled() {
            return switch (this) {
                case WAITING -> 0;
                case COMMITTING -> 4;
                case REVEALING -> 8;
                case AGGREGATING -> 12;
                case CHALLENGING -> 16;
                case FINAL, FAILED -> BAR_WIDTH;
            };
        }
    }

    /** What is shown for one round. */
    public record RoundState(Phase phase, int contributors, long admitted, long rejected) {
        public RoundState {
            Objects.requireNonNull(phase, "phase");
        }
    }

    static final int BAR_WIDTH = 20;

    private final PrintWriter out;
    private final boolean redraw;
    private final Map<Integer, RoundState> rounds = new TreeMap<>();
    private int drawnLines;

    /**
     * @param redraw redraw in place with ANSI cursor movement (a terminal); false prints one line
     *     per change
     */
    public ProgressBoard(PrintWriter out, boolean redraw) {
        this.out = out;
        this.redraw = redraw;
    }

    /** Whether this process writes to a terminal a person watches (not CI, not a pipe). */
    public static boolean interactive() {
        return System.console() != null && System.getenv("CI") == null;
    }

    /** Records a round's state and shows it if it changed. */
    public synchronized void update(int round, RoundState state) {
        RoundState previous = rounds.put(round, state);
        if (state.equals(previous)) {
            return;
        }
        if (redraw) {
            if (drawnLines > 0) {
                out.print("\u001b[" + drawnLines + "F");
            }
            for (Map.Entry<Integer, RoundState> e : rounds.entrySet()) {
                out.print("\u001b[2K");
                out.println(line(e.getKey(), e.getValue()));
            }
            drawnLines = rounds.size();
        } else {
            out.println(line(round, state));
        }
        out.flush();
    }

    /** The current state of a round, or null if it was never shown. */
    public synchronized RoundState state(int round) {
        return rounds.get(round);
    }

    static String line(int round, RoundState s) {
        int filled = s.phase().filled();
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        return String.format(Locale.ROOT, "  round %2d [%s] %-11s contributors %2d  chunks %4d admitted %3d rejected",
                round, bar, s.phase().label, s.contributors(), s.admitted(), s.rejected());
    }
}
