package gantry.node.rpc;

import com.google.protobuf.ByteString;
import gantry.node.backup.SnapshotRestorer;
import gantry.node.backup.SnapshotSaver;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SnapshotChunk;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;

/**
 * The two backup calls of ControlService: SaveSnapshot streams a file's bytes in chunks well under
 * the message limit; RestoreSnapshot collects the chunks and hands the whole file to the
 * restorer once the client is done (it is checked before anything is proposed).
 */
final class SnapshotCalls {
  /** Bytes per SaveSnapshot message: far below the 16 MiB default max_message_bytes. */
  static final int CHUNK_BYTES = 1024 * 1024;
  /** The largest file a restore accepts (the state is held in memory by every peer anyway). */
  static final long MAX_FILE_BYTES = 1L << 30;

  private final SnapshotSaver saver;
  private final SnapshotRestorer restorer;

  SnapshotCalls(SnapshotSaver saver, SnapshotRestorer restorer) {
    this.saver = saver;
    this.restorer = restorer;
  }

  void save(StreamObserver<SnapshotChunk> out) {
    saver.save().whenComplete((file, err) -> {
      if (err != null) {
        out.onError(Statuses.of(err));
        return;
      }
      for (int at = 0; at < file.length; at += CHUNK_BYTES) {
        out.onNext(SnapshotChunk.newBuilder()
            .setData(ByteString.copyFrom(file, at, Math.min(CHUNK_BYTES, file.length - at))).build());
      }
      out.onCompleted();
    });
  }

  StreamObserver<SnapshotChunk> restore(StreamObserver<RestoreSnapshotResponse> out) {
    return new StreamObserver<>() {
      private final ByteArrayOutputStream file = new ByteArrayOutputStream();
      private boolean first = true;
      private boolean force;
      private boolean failed;

      @Override
      public void onNext(SnapshotChunk chunk) {
        if (failed) return;
        if (first) force = chunk.getForce();
        first = false;
        if (file.size() + (long) chunk.getData().size() > MAX_FILE_BYTES) {
          failed = true;
          out.onError(Status.INVALID_ARGUMENT.withDescription("snapshot file: larger than " + MAX_FILE_BYTES + " bytes")
              .asRuntimeException());
          return;
        }
        file.writeBytes(chunk.getData().toByteArray());
      }

      @Override
      public void onError(Throwable t) {
        failed = true;
      }

      @Override
      public void onCompleted() {
        if (failed) return;
        try {
          restorer.restore(file.toByteArray(), force).whenComplete((r, err) -> {
            if (err != null) {
              out.onError(Statuses.of(err));
            } else {
              out.onNext(r);
              out.onCompleted();
            }
          });
        } catch (RuntimeException e) {
          out.onError(Statuses.of(e));
        }
      }
    };
  }
}
