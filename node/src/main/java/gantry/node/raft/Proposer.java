package gantry.node.raft;

import gantry.v1.BatchOutcome;
import gantry.v1.Record;
import gantry.v1.RecordBatch;
import gantry.v1.RecordOutcome;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs the records of concurrent requests into Raft entries: one entry costs one fsync
 * and one round of replication whatever it holds, so batching is what makes throughput.
 *
 * <p>No timer: a single drainer thread waits for a free slot in a small window of entries in
 * flight (two: one or four gave no more throughput while completions still ran on the reply
 * thread, see {@link #COMPLETIONS}, and four gave less after; README, "Audit forces off the Raft
 * client's reply thread"), and meanwhile requests pile up; it then takes everything queued (up to
 * {@code maxRecords} / {@code maxBytes}) into the next entry. Under no load an entry leaves
 * at once; under load entries grow. Each request completes when its entry is applied, with
 * the outcomes of its own records.
 *
 * <p>Requests complete on threads of their own ({@link #COMPLETIONS}), never on the Raft
 * client's thread that delivers replies.
 */
public final class Proposer implements AutoCloseable {
  /** What one proposal got: the entry's index and one outcome per record, in order. */
  public record Proposal(long index, List<RecordOutcome> outcomes) {}

  private record Pending(List<Record> records, int bytes, boolean alone, CompletableFuture<Proposal> done) {}

  private static final Logger LOG = LoggerFactory.getLogger(Proposer.class);
  private static final int WINDOW = 2;
  private static final RecordOutcome UNKNOWN_OUTCOME = RecordOutcome.newBuilder().setErrorCode("UNAVAILABLE")
      .setErrorMessage("the write was committed, but its outcome was lost in a restart; read the state to see it").build();
  private static final long REPORT_NANOS = 60_000_000_000L;
  /**
   * Where each request's future completes: a virtual thread per request. What callers chain on
   * it blocks: the guard writes and forces a write's audit line before the answer leaves. On
   * the Raft client's reply thread the requests of an entry completed one after another, each
   * waiting for its own force, while that thread held the client's ordered window and so the
   * replies of every later entry (jstack of the peers at 64 clients showed it). Completed side
   * by side, an entry's audit lines share one force (AuditLog's group commit).
   */
  private static final Executor COMPLETIONS = task -> Thread.ofVirtual().name("gantry-proposal-done").start(task);

  private final RaftClient client;
  private final int maxRecords;
  private final int maxBytes;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Semaphore window = new Semaphore(WINDOW);
  private final Thread drainer;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.LongAdder entries = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder recordsSent = new java.util.concurrent.atomic.LongAdder();
  private long lastReport = System.nanoTime();

  public Proposer(RaftClient client, int maxRecords, int maxBytes) {
    this.client = client;
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.drainer = Thread.ofPlatform().name("gantry-proposer").daemon().start(this::drain);
  }

  /** Proposes records to be applied together, in order, in one entry. */
  public CompletableFuture<Proposal> propose(List<Record> records) {
    return enqueue(records, false);
  }

  /**
   * Proposes records in an entry of their own, never packed with other requests' (a snapshot
   * restore's records replace the store and must not share an entry with ordinary ones).
   */
  public CompletableFuture<Proposal> proposeAlone(List<Record> records) {
    return enqueue(records, true);
  }

  private CompletableFuture<Proposal> enqueue(List<Record> records, boolean alone) {
    CompletableFuture<Proposal> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("proposer closed"));
      return done;
    }
    int bytes = 0;
    for (Record r : records) bytes += r.getSerializedSize() + 5;
    queue.add(new Pending(List.copyOf(records), bytes, alone, done));
    return done;
  }

  private void drain() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = queue.take();
        window.acquire();
        batch.add(first);
        int records = first.records().size();
        int bytes = first.bytes();
        for (Pending next; !first.alone() && (next = queue.peek()) != null && !next.alone()
            && records + next.records().size() <= maxRecords && bytes + next.bytes() <= maxBytes; ) {
          batch.add(queue.poll());
          records += next.records().size();
          bytes += next.bytes();
        }
        send(List.copyOf(batch));
        entries.increment();
        recordsSent.add(records);
        batch.clear();
        report();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    IllegalStateException gone = new IllegalStateException("proposer closed");
    batch.forEach(p -> p.done().completeExceptionally(gone));
    for (Pending p; (p = queue.poll()) != null; ) p.done().completeExceptionally(gone);
  }

  /** Logs how well batching works, at most once a minute and only when there was traffic. */
  private void report() {
    long now = System.nanoTime();
    if (now - lastReport < REPORT_NANOS) return;
    lastReport = now;
    long e = entries.sumThenReset();
    long r = recordsSent.sumThenReset();
    LOG.info("proposed {} records in {} entries ({} per entry) since the last report", r, e, e == 0 ? 0 : r / e);
  }

  private void send(List<Pending> batch) {
    RecordBatch.Builder entry = RecordBatch.newBuilder();
    batch.forEach(p -> entry.addAllRecords(p.records()));
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = client.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.build().toByteArray())));
    } catch (RuntimeException e) {
      window.release();
      fail(batch, e);
      return;
    }
    reply.whenComplete((r, err) -> {
      window.release();
      if (err == null && !r.isSuccess()) err = r.getException();
      if (err != null) {
        fail(batch, err);
        return;
      }
      BatchOutcome outcome;
      try {
        outcome = BatchOutcome.parseFrom(r.getMessage().getContent().asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        fail(batch, e);
        return;
      }
      int at = 0;
      for (Pending p : batch) {
        int n = p.records().size();
        List<RecordOutcome> mine = outcome.getReplayed()
            // A retried request answered from a retry cache rebuilt after a restart: the entry
            // committed, but what it did is no longer known. Say so rather than guess.
            ? java.util.Collections.nCopies(n, UNKNOWN_OUTCOME)
            : outcome.getOutcomesList().subList(at, at + n);
        Proposal done = new Proposal(outcome.getIndex(), mine);
        COMPLETIONS.execute(() -> p.done().complete(done));
        at += n;
      }
    });
  }

  private static void fail(List<Pending> batch, Throwable cause) {
    batch.forEach(p -> COMPLETIONS.execute(() -> p.done().completeExceptionally(cause)));
  }

  @Override
  public void close() {
    closed = true;
    drainer.interrupt();
  }
}
