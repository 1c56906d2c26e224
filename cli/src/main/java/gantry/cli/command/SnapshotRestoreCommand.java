package gantry.cli.command;

import com.google.protobuf.ByteString;
import gantry.node.backup.SnapshotFile;
import gantry.node.backup.SnapshotFileException;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SnapshotChunk;
import gantry.v1.SnapshotFileSummary;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry operator snapshot restore FILE}: checks the file here first (a damaged file is
 * refused with the reason and nothing is sent), then streams it to a manager, which checks it
 * again and replaces the whole replicated state through Raft.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = "Replace the cluster's whole state (jobs, nodes, allocations, deployments, ACL policies and tokens) "
        + "with a snapshot file's (needs operator:write).")
public final class SnapshotRestoreCommand implements Callable<Integer> {
  /** Bytes per message: far under the managers' 16 MiB default max_message_bytes. */
  static final int CHUNK_BYTES = 1024 * 1024;

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "FILE", description = "A file written by `gantry operator snapshot save`.")
  Path file;

  @Option(names = "--force", description = "Restore even though the cluster already has jobs (they are replaced).")
  boolean force;

  @Override
  public Integer call() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw Failure.badInput("FILE: no such file: " + file);
    } catch (IOException e) {
      throw Failure.badInput("FILE: cannot read " + file + ": " + e.getMessage());
    }
    SnapshotFile.Contents contents;
    try {
      contents = SnapshotFile.parse(bytes);
    } catch (SnapshotFileException e) {
      throw Failure.failed(file + " refused: " + e.getMessage() + "; nothing was sent");
    }
    RestoreSnapshotResponse r = send(bytes);
    if (client.json()) {
      client.printJson(SnapshotFileSummary.newBuilder().setFile(file.toString()).setBytes(bytes.length)
          .setSha256(contents.sha256()).setHeader(contents.header()).setRestored(r));
    } else {
      client.out().println("restored " + file + " (saved at index " + r.getSourceIndex() + " by "
          + contents.header().getSavedBy() + "): " + r.getJobs() + " jobs, " + r.getAllocations() + " allocations, "
          + r.getEntries() + " objects; in effect at index " + r.getIndex());
    }
    return 0;
  }

  private RestoreSnapshotResponse send(byte[] bytes) {
    try (var control = client.connect()) {
      Status last = null;
      for (String address : control.addresses()) {
        try {
          return sendTo(control.asyncStub(address), bytes);
        } catch (StatusRuntimeException e) {
          // Only a manager that could not be reached is passed over.
          if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || e.getStatus().getDescription() != null
              && e.getStatus().getDescription().startsWith("Raft")) {
            throw e;
          }
          last = e.getStatus();
        }
      }
      throw Failure.failed("no manager reachable at " + String.join(",", control.addresses()) + " (last error: "
          + last.getCode() + (last.getDescription() == null ? "" : ": " + last.getDescription()) + ")");
    }
  }

  private RestoreSnapshotResponse sendTo(gantry.v1.ControlServiceGrpc.ControlServiceStub stub, byte[] bytes) {
    CompletableFuture<RestoreSnapshotResponse> done = new CompletableFuture<>();
    StreamObserver<SnapshotChunk> up = stub.withDeadlineAfter(5, TimeUnit.MINUTES).restoreSnapshot(new StreamObserver<>() {
      @Override
      public void onNext(RestoreSnapshotResponse value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        if (!done.isDone()) done.completeExceptionally(Status.INTERNAL.withDescription("no answer").asRuntimeException());
      }
    });
    for (int at = 0; at < bytes.length && !done.isDone(); at += CHUNK_BYTES) {
      up.onNext(SnapshotChunk.newBuilder().setForce(force && at == 0)
          .setData(ByteString.copyFrom(bytes, at, Math.min(CHUNK_BYTES, bytes.length - at))).build());
    }
    up.onCompleted();
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failure.failed("interrupted while restoring; the restore may still finish");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) throw s;
      throw Failure.failed("restore failed: " + e.getCause());
    }
  }
}
