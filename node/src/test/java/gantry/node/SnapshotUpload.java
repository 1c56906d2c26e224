package gantry.node;

import com.google.protobuf.ByteString;
import gantry.v1.ControlServiceGrpc.ControlServiceStub;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SnapshotChunk;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** RestoreSnapshot as a client makes it, for the tests: the file in chunks, then the one answer. */
public final class SnapshotUpload {
  private SnapshotUpload() {}

  /**
   * Sends {@code file} in chunks of {@code step} bytes ({@code force} on the first) through
   * {@code stub} and waits up to 60 s for the answer.
   *
   * @throws Exception the call's error (a StatusRuntimeException) when it failed
   */
  public static RestoreSnapshotResponse send(ControlServiceStub stub, byte[] file, int step, boolean force) throws Exception {
    CompletableFuture<RestoreSnapshotResponse> done = new CompletableFuture<>();
    StreamObserver<SnapshotChunk> up = stub.withDeadlineAfter(60, TimeUnit.SECONDS).restoreSnapshot(new StreamObserver<>() {
      @Override
      public void onNext(RestoreSnapshotResponse r) {
        done.complete(r);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    for (int at = 0; at < file.length; at += step) {
      up.onNext(SnapshotChunk.newBuilder().setForce(force && at == 0)
          .setData(ByteString.copyFrom(file, at, Math.min(step, file.length - at))).build());
    }
    up.onCompleted();
    try {
      return done.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }
}
