package gantry.cli.output;

import gantry.v1.Deployment;
import java.io.PrintWriter;
import java.util.List;

/**
 * Progress on a terminal: the frame (a line per group, then the status) is redrawn in place at each
 * poll, moving the cursor up over the last frame and clearing each line before writing it. Lines
 * wider than the terminal wrap and break the count of lines to move up over; the frame's lines
 * are short (a group name and a few numbers), so this is accepted rather than asking the terminal
 * for its width.
 */
final class LiveProgress implements ProgressDisplay {
  /** The Control Sequence Introducer that starts each ANSI escape used here. */
  static final String CSI = "\u001b[";
  /** Clears the whole line the cursor is on; {@code \r} first puts the cursor in column 0. */
  static final String CLEAR_LINE = "\r" + CSI + "2K";

  private final PrintWriter out;
  private ProgressFrame last;
  private int drawn;

  LiveProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void show(Deployment d, boolean ended) {
    last = ProgressFrame.of(d, ended);
    draw(last.lines());
  }

  @Override
  public void unreachable(String message) {
    // Before the first frame there are no counts to keep: the message alone.
    draw(last == null ? List.of(message) : last.withStatus(message).lines());
  }

  private void draw(List<String> lines) {
    var frame = new StringBuilder();
    if (drawn > 0) frame.append(cursorUp(drawn));
    for (String line : lines) frame.append(CLEAR_LINE).append(line).append('\n');
    // A shorter frame than the last (the status line went at the end): blank what is left of it,
    // then come back so that what is printed next follows the frame.
    int leftover = drawn - lines.size();
    for (int i = 0; i < leftover; i++) frame.append(CLEAR_LINE).append('\n');
    if (leftover > 0) frame.append(cursorUp(leftover));
    drawn = lines.size();
    out.print(frame);
    out.flush();
  }

  static String cursorUp(int lines) {
    return CSI + lines + "A";
  }
}
