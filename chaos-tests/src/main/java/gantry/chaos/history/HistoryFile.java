package gantry.chaos.history;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads back a history written by {@link Json#line}, one op per line. */
public final class HistoryFile {
  private HistoryFile() {}

  public static List<Op> read(Path file) throws IOException {
    List<Op> ops = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) continue;
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      JobState observed = null;
      if (o.has("observed")) {
        JsonObject s = o.getAsJsonObject("observed");
        observed = new JobState(s.get("version").getAsLong(), s.get("value").getAsString(), s.get("stopped").getAsBoolean());
      }
      ops.add(new Op(o.get("id").getAsLong(), o.get("process").getAsString(), o.get("key").getAsString(),
          Op.Type.valueOf(o.get("type").getAsString().toUpperCase(Locale.ROOT)),
          Op.Outcome.valueOf(o.get("outcome").getAsString().toUpperCase(Locale.ROOT)),
          Math.round(o.get("invoke_ms").getAsDouble() * 1e6), Math.round(o.get("complete_ms").getAsDouble() * 1e6),
          o.get("written").getAsString(), observed, o.get("peer").getAsString(), o.get("error").getAsString()));
    }
    return ops;
  }
}
