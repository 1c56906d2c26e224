package gantry.chaos.history;

/** Just enough JSON writing for the report files; the harness has no JSON library. */
public final class Json {
  private Json() {}

  public static String str(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : (s == null ? "" : s).toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    return b.append('"').toString();
  }

  /** One history line. */
  public static String line(Op op) {
    StringBuilder b = new StringBuilder("{");
    b.append("\"id\":").append(op.id())
        .append(",\"process\":").append(str(op.process()))
        .append(",\"key\":").append(str(op.key()))
        .append(",\"type\":").append(str(op.type().name().toLowerCase()))
        .append(",\"outcome\":").append(str(op.outcome().name().toLowerCase()))
        .append(",\"invoke_ms\":").append(String.format("%.3f", op.invokeNanos() / 1e6))
        .append(",\"complete_ms\":").append(String.format("%.3f", op.completeNanos() / 1e6))
        .append(",\"written\":").append(str(op.written()));
    if (op.observed() != null) {
      JobState s = op.observed();
      b.append(",\"observed\":{\"version\":").append(s.version())
          .append(",\"value\":").append(str(s.value()))
          .append(",\"stopped\":").append(s.stopped()).append('}');
    }
    b.append(",\"peer\":").append(str(op.peer()))
        .append(",\"error\":").append(str(op.error()));
    return b.append('}').toString();
  }
}
