package gantry.scheduler.feasible;

import gantry.scheduler.GroupAsk;
import gantry.scheduler.Seed;
import gantry.v1.AllocatedPort;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Host ports for an allocation: static ports as asked, dynamic ones from
 * [{@value #DYNAMIC_MIN}, {@value #DYNAMIC_MAX}] starting at an offset drawn from the seed
 * and probing upwards (wrapping), skipping used, reserved and already chosen ports.
 */
public final class PortAssigner {
  public static final int DYNAMIC_MIN = 20000;
  public static final int DYNAMIC_MAX = 32000;
  private static final int SPAN = DYNAMIC_MAX - DYNAMIC_MIN + 1;

  private PortAssigner() {}

  /** Why the ports cannot be had on a node with {@code used} ports, or null. */
  static String check(BitSet used, GroupAsk ask) {
    BitSet mine = null;
    int dynamic = 0;
    for (GroupAsk.TaskPort p : ask.ports()) {
      if (p.staticPort() == 0) {
        dynamic++;
        continue;
      }
      if (used.get(p.staticPort()) || (mine != null && mine.get(p.staticPort()))) {
        return "port " + p.staticPort() + " in use";
      }
      if (mine == null) {
        mine = new BitSet();
      }
      mine.set(p.staticPort());
    }
    if (dynamic > 0) {
      int free = 0;
      for (int port = used.nextClearBit(DYNAMIC_MIN); port <= DYNAMIC_MAX && free < dynamic;
          port = used.nextClearBit(port + 1)) {
        if (mine == null || !mine.get(port)) {
          free++;
        }
      }
      if (free < dynamic) {
        return "dynamic ports exhausted";
      }
    }
    return null;
  }

  /** Assigns ports on a node that passed {@link PortFilter}; {@code salt} varies the offset. */
  public static List<AllocatedPort> assign(BitSet used, GroupAsk ask, Seed seed, long salt) {
    if (ask.ports().isEmpty()) {
      return List.of();
    }
    List<AllocatedPort> out = new ArrayList<>(ask.ports().size());
    BitSet taken = new BitSet();
    for (GroupAsk.TaskPort p : ask.ports()) {
      if (p.staticPort() != 0) {
        taken.set(p.staticPort());
      }
    }
    int cursor = (int) Math.floorMod(seed.hash(0x70727473L, salt), (long) SPAN);
    for (GroupAsk.TaskPort p : ask.ports()) {
      int host = p.staticPort();
      if (host == 0) {
        host = -1;
        for (int probe = 0; probe < SPAN; probe++) {
          int candidate = DYNAMIC_MIN + (cursor + probe) % SPAN;
          if (!used.get(candidate) && !taken.get(candidate)) {
            host = candidate;
            cursor = (cursor + probe + 1) % SPAN;
            break;
          }
        }
        if (host < 0) {
          throw new IllegalStateException("no dynamic port left; PortFilter should have rejected the node");
        }
        taken.set(host);
      }
      out.add(AllocatedPort.newBuilder().setTask(p.task()).setName(p.name()).setHost(host)
          .setTo(p.to() != 0 ? p.to() : host).build());
    }
    return out;
  }
}
