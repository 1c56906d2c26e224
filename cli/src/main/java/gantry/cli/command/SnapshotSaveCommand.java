package gantry.cli.command;

import gantry.node.backup.SnapshotFile;
import gantry.node.backup.SnapshotFileException;
import gantry.v1.SaveSnapshotRequest;
import gantry.v1.SnapshotChunk;
import gantry.v1.SnapshotFileSummary;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry operator snapshot save FILE}: the replicated state at one Raft index, checked as
 * it arrives, written to FILE.tmp, fsynced and renamed, so FILE is either the old file or a whole
 * new one.
 */
@Command(name = "save", mixinStandardHelpOptions = true,
    description = "Save a consistent, checksummed snapshot of the cluster's state to FILE (needs operator:read).")
public final class SnapshotSaveCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "FILE", description = "Where to write the snapshot (replaced whole if it exists).")
  Path file;

  @Override
  public Integer call() throws IOException {
    byte[] bytes = fetch();
    SnapshotFile.Contents contents;
    try {
      contents = SnapshotFile.parse(bytes);
    } catch (SnapshotFileException e) {
      throw Failure.failed("the manager sent a snapshot that does not check: " + e.getMessage() + "; nothing was written");
    }
    write(file, bytes);
    var h = contents.header();
    if (client.json()) {
      client.printJson(SnapshotFileSummary.newBuilder().setFile(file.toString()).setBytes(bytes.length)
          .setSha256(contents.sha256()).setHeader(h));
    } else {
      client.out().println("saved " + file + ": index " + h.getRaftIndex() + " (term " + h.getRaftTerm() + "), "
          + h.getJobs() + " jobs, " + h.getAllocations() + " allocations, " + h.getNodes() + " nodes, " + h.getDeployments()
          + " deployments, " + h.getEntries() + " objects, " + bytes.length + " bytes, sha256 " + contents.sha256());
    }
    return 0;
  }

  /** The file's bytes from the first manager that answers. */
  private byte[] fetch() {
    try (var control = client.connect()) {
      Status last = null;
      for (String address : control.addresses()) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
          Iterator<SnapshotChunk> stream = control.streamingStub(address).withDeadlineAfter(5, TimeUnit.MINUTES)
              .saveSnapshot(SaveSnapshotRequest.getDefaultInstance());
          while (stream.hasNext()) out.writeBytes(stream.next().getData().toByteArray());
          return out.toByteArray();
        } catch (StatusRuntimeException e) {
          if (out.size() > 0 || e.getStatus().getCode() != Status.Code.UNAVAILABLE) throw e;
          last = e.getStatus();
        }
      }
      throw Failure.failed("no manager reachable at " + String.join(",", control.addresses()) + " (last error: "
          + last.getCode() + (last.getDescription() == null ? "" : ": " + last.getDescription()) + ")");
    }
  }

  /** FILE.tmp, fsync, rename over FILE, fsync the directory. */
  static void write(Path file, byte[] bytes) throws IOException {
    Path target = file.toAbsolutePath();
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) ch.write(buf);
      ch.force(true);
    } catch (IOException e) {
      throw Failure.failed("cannot write " + tmp + ": " + e.getMessage());
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw Failure.failed("cannot move " + tmp + " to " + target + ": " + e.getMessage());
    }
  }
}
