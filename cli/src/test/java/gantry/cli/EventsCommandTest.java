package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.Event;
import gantry.v1.WatchEventsResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code gantry events} against the fake ControlService: its lines, the lost notice, a bad topic, failover. */
class EventsCommandTest extends FakeServerTest {
  @BeforeEach
  void forgetWatches() {
    FakeControlServer.WATCHES.clear();
  }

  @Test
  void printsOneParseableJsonLinePerEventOfTheTopic() throws Exception {
    Cli r = client("events", "--topic", "job");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(1, lines.size(), r.out());
    Event e = parse(lines.get(0));
    assertEquals(FakeControlServer.EVENTS.get(0), e);
    assertTrue(lines.get(0).startsWith("{\"index\":\"5\",\"topic\":\"job\",\"type\":\"JobRegistered\",\"key\":\"web\",\"job\":{"),
        lines.get(0));
    assertEquals(List.of("job"), FakeControlServer.WATCHES.get(0).getTopicsList());
    assertEquals(0, FakeControlServer.WATCHES.get(0).getIndex());

    Cli all = client("events", "--topic", "job", "--topic", "scaling", "--key", "web");
    assertEquals(0, all.exitCode(), all.err());
    assertEquals(List.of("web", "web/frontend"), all.out().lines().map(l -> parseOrFail(l).getKey()).toList());
    assertEquals("web", FakeControlServer.WATCHES.get(1).getKey());
  }

  @Test
  void aLostNoticeIsAJsonLineAndAWarning() throws Exception {
    Cli r = client("events", "--index", "1");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    WatchEventsResponse.Builder lost = WatchEventsResponse.newBuilder();
    JsonFormat.parser().merge(lines.get(0), lost);
    assertEquals(5, lost.getLost().getOldestIndex());
    assertTrue(lines.get(0).startsWith("{\"lost\":{"), lines.get(0));
    assertEquals(List.of(5L, 6L, 7L), lines.subList(1, 4).stream().map(l -> parseOrFail(l).getIndex()).toList());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("warning: events were lost: events after index 1"), r.err());
  }

  @Test
  void aBadTopicExits2NamingIt() {
    Cli r = client("events", "--topic", "jobz");
    assertEquals(2, r.exitCode(), r.out());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("topics: unknown topic \"jobz\"; allowed: job, allocation, node, evaluation, deployment, scaling"),
        r.err());
  }

  @Test
  void aBrokenStreamGoesOnAtTheNextManagerWithoutRepeatingOrSkipping() {
    Cli r = Cli.runAt(FakeControlServer.deadAddress() + "," + server.address() + "," + server.address(), "events", "--key", "flaky");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals(List.of(5L, 6L, 7L), r.out().lines().map(l -> parseOrFail(l).getIndex()).toList(), r.out());
    List<Long> asked = FakeControlServer.WATCHES.stream().map(w -> w.getIndex()).toList();
    // The stream broke after index 6: back to the entry before it, skipping what was printed of 6.
    assertEquals(List.of(0L, 5L), asked);
    assertTrue(r.err().contains("following from " + server.address()), r.err());
  }

  @Test
  void noManagerAtAllExits1WithOneLine() {
    Cli r = Cli.runAt(FakeControlServer.deadAddress() + "," + FakeControlServer.deadAddress(), "events");
    assertEquals(1, r.exitCode(), r.out());
    assertEquals("", r.out());
    List<String> err = r.err().lines().filter(l -> !l.startsWith("note: ")).toList();
    assertEquals(1, err.size(), r.err());
    assertTrue(err.get(0).startsWith("no manager answered at "), r.err());
  }

  private static Event parseOrFail(String line) {
    try {
      return parse(line);
    } catch (Exception e) {
      throw new AssertionError("not an Event: " + line, e);
    }
  }

  private static Event parse(String line) throws Exception {
    Event.Builder b = Event.newBuilder();
    JsonFormat.parser().merge(line, b);
    return b.build();
  }
}
