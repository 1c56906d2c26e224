package gantry.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** The node's id: a UUID made once and kept in {@code DATA_DIR/node-id}, so a restarted agent is the same node. */
public final class NodeIdentity {
  static final String FILE = "node-id";

  private NodeIdentity() {}

  public static String loadOrCreate(Path dataDir) {
    Path f = dataDir.resolve(FILE);
    try {
      if (Files.isRegularFile(f)) {
        String id = Files.readString(f, StandardCharsets.UTF_8).strip();
        return UUID.fromString(id).toString();
      }
      Files.createDirectories(dataDir);
      String id = UUID.randomUUID().toString();
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write the node id in " + f, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(f + " does not hold a UUID; remove it to make a new node id", e);
    }
  }

  /** A stable id for a simulated node, derived from its name (no file per simulated node). */
  public static String forSimulated(String name) {
    return UUID.nameUUIDFromBytes(("gantry-sim:" + name).getBytes(StandardCharsets.UTF_8)).toString();
  }
}
