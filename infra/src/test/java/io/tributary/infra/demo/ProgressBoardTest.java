package io.tributary.infra.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tributary.infra.demo.ProgressBoard.Phase;
import io.tributary.infra.demo.ProgressBoard.RoundState;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {

    @Test
    void shouldPrintOneLinePerChangeAndNothingForARepeatWhenNotRedrawing() {
        StringWriter sink = new StringWriter();
        ProgressBoard board = new ProgressBoard(new PrintWriter(sink), false);
        board.update(0, new RoundState(Phase.COMMITTING, 0, 0, 0));
        board.update(0, new RoundState(Phase.COMMITTING, 0, 0, 0));
        board.update(0, new RoundState(Phase.REVEALING, 6, 0, 0));
        board.update(0, new RoundState(Phase.FINAL, 6, 12, 1));
        String[] lines = sink.toString().split("\n");
        assertEquals(3, lines.length, sink.toString());
        assertEquals("  round  0 [####################] final       contributors  6  chunks   12 admitted   1 rejected",
                lines[2]);
        assertTrue(lines[0].contains("[####................] committing"), lines[0]);
    }

    @Test
    void shouldRedrawEveryRoundInPlaceWhenOnATerminal() {
        StringWriter sink = new StringWriter();
        ProgressBoard board = new ProgressBoard(new PrintWriter(sink), true);
        board.update(0, new RoundState(Phase.AGGREGATING, 4, 8, 0));
        board.update(1, new RoundState(Phase.COMMITTING, 0, 0, 0));
        String text = sink.toString();
        assertTrue(text.contains("\u001b[1F"), "moves up over the one line drawn before");
        assertEquals(3, text.split("\n").length, "one line, then both lines again");
        assertEquals(Phase.COMMITTING, board.state(1).phase());
    }
}
