package gantry.node.leader;

import gantry.v1.ManagerMessage;
import java.util.ArrayList;
import java.util.List;

/** An agent session end that keeps what was sent down it. */
final class RecordingStream implements AgentStream {
  final List<ManagerMessage> sent = new ArrayList<>();
  boolean closed;

  @Override
  public void send(ManagerMessage message) {
    sent.add(message);
  }

  @Override
  public void close() {
    closed = true;
  }

  ManagerMessage last() {
    return sent.getLast();
  }

  /** Allocation ids in the last assignments sent. */
  List<String> assigned() {
    for (int i = sent.size() - 1; i >= 0; i--) {
      if (sent.get(i).hasAssignments()) {
        return sent.get(i).getAssignments().getAllocationsList().stream().map(a -> a.getAllocation().getId()).toList();
      }
    }
    return List.of();
  }
}
