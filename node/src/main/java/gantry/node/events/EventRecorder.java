package gantry.node.events;

import com.google.protobuf.MessageLite;
import gantry.node.state.Mutations;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.Event;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.Record;
import gantry.v1.ScaleMark;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Mutations} replay writes one entry's effects to, passed through to the entry's
 * batch and also turned into that entry's events: one per object key a record wrote (the last
 * value it gave the key, or "deleted"), in the order the record first wrote them, record by
 * record. Replay is the only mutator and writes every change here, so nothing changes unseen;
 * and since every peer replays the same entries alike, every peer makes the same events.
 *
 * <p>Used on the apply thread only, one instance per entry.
 */
public final class EventRecorder implements Mutations {
  /** "deleted": the {@code Event.type} of a removal. */
  public static final String DELETED = "deleted";
  private static final Map<Record.KindCase, String> TYPES = new EnumMap<>(Record.KindCase.class);

  static {
    for (Record.KindCase k : Record.KindCase.values()) {
      if (k == Record.KindCase.KIND_NOT_SET) continue;
      TYPES.put(k, Record.getDescriptor().findFieldByNumber(k.getNumber()).getMessageType().getName());
    }
  }

  private final Mutations out;
  private final long index;
  private final List<Event> events = new ArrayList<>();
  /** Store key -> its value after the current record, null when it deleted the key. */
  private final Map<String, MessageLite> touched = new LinkedHashMap<>();
  /** Allocation and node ids the whole entry wrote, for the service events ({@link ServiceEvents}). */
  private final Set<String> allocations = new HashSet<>();
  private final Set<String> nodes = new HashSet<>();
  private Record record;

  EventRecorder(long index, Mutations out) {
    this.index = index;
    this.out = out;
  }

  /** The next writes are {@code r}'s. */
  public void begin(Record r) {
    flush();
    record = r;
  }

  @Override
  public void put(String key, MessageLite value) {
    out.put(key, value);
    touch(key, value);
  }

  @Override
  public void delete(String key) {
    out.delete(key);
    touch(key, null);
  }

  private void touch(String key, MessageLite value) {
    Topic topic = Topic.ofStoreKey(key).orElse(null);
    if (topic == null) return;
    touched.put(key, value);
    if (topic == Topic.ALLOCATION) allocations.add(topic.idOf(key));
    if (topic == Topic.NODE) nodes.add(topic.idOf(key));
  }

  long index() {
    return index;
  }

  /** The ids of the allocations the entry wrote or deleted, so far. */
  Set<String> allocationsWritten() {
    return allocations;
  }

  /** The ids of the nodes the entry wrote or deleted, so far. */
  Set<String> nodesWritten() {
    return nodes;
  }

  /** The entry's events, once every record was replayed. */
  List<Event> events() {
    flush();
    return events;
  }

  private void flush() {
    if (record == null) {
      touched.clear();
      return;
    }
    String type = TYPES.get(record.getKindCase());
    for (var e : touched.entrySet()) {
      Topic topic = Topic.ofStoreKey(e.getKey()).orElseThrow();
      Event.Builder b = Event.newBuilder().setIndex(index).setTopic(topic.wireName()).setKey(topic.idOf(e.getKey()));
      if (e.getValue() == null) {
        events.add(b.setType(DELETED).build());
      } else if (withObject(b, e.getValue())) {
        events.add(b.setType(type).build());
      }
    }
    if (record.getKindCase() == Record.KindCase.JOB_SCALED) scaled(record.getJobScaled(), type);
    touched.clear();
    record = null;
  }

  /**
   * A count change that took (the record wrote the job, with the group's mark) is also a scaling
   * event; a refused or unchanged one wrote nothing and makes none.
   */
  private void scaled(gantry.v1.JobScaled r, String type) {
    if (!(touched.get(gantry.node.store.Keys.job(r.getName())) instanceof Job job)) return;
    ScaleMark mark = job.getLastScaleMap().get(r.getGroup());
    if (mark == null) return;
    events.add(Event.newBuilder().setIndex(index).setTopic(Topic.SCALING.wireName()).setType(type)
        .setKey(r.getName() + "/" + r.getGroup()).setScale(mark).build());
  }

  private static boolean withObject(Event.Builder b, MessageLite value) {
    switch (value) {
      case Job j -> b.setJob(j);
      case Allocation a -> b.setAllocation(a);
      case Node n -> b.setNode(n);
      case Evaluation e -> b.setEvaluation(e);
      case Deployment d -> b.setDeployment(d);
      default -> {
        // A key of an object kind holding another message would be a replay bug; no event rather than a wrong one.
        return false;
      }
    }
    return true;
  }
}
