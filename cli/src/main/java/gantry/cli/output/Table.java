package gantry.cli.output;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns separated by two spaces, the header in capitals: what a terminal user scans. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  public Table row(Object... cells) {
    if (cells.length != header.size()) throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
    List<String> row = new ArrayList<>(cells.length);
    for (Object cell : cells) row.add(String.valueOf(cell));
    rows.add(row);
    return this;
  }

  public void print(PrintWriter out) {
    int[] widths = new int[header.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = header.get(c).length();
      for (List<String> row : rows) widths[c] = Math.max(widths[c], row.get(c).length());
    }
    printRow(out, header, widths);
    for (List<String> row : rows) printRow(out, row, widths);
    out.flush();
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    var line = new StringBuilder();
    for (int c = 0; c < cells.size(); c++) {
      line.append(cells.get(c));
      if (c < cells.size() - 1) line.append(" ".repeat(widths[c] - cells.get(c).length() + 2));
    }
    out.println(line);
  }
}
