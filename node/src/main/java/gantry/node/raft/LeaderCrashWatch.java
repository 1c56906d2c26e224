package gantry.node.raft;

import gantry.node.config.HostPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a leader whose process has ended and starts an election at once, instead of after the
 * election timeout (which Ratis' follower waits out between one and two times: 0.4-1.6 s at the
 * default 400-800 ms).
 *
 * <p>While this peer follows a leader it holds one idle TCP connection to the leader's Raft
 * port. It sends nothing on it; it only reads. When that connection closes from the other side
 * it tries a new connection: if the port <em>refuses</em> it, no process listens there any more
 * (the leader was killed, crashed or stopped), and this peer asks its own Raft server to start an
 * election, as a leadership transfer would. Anything else (the port answers, the connection
 * times out: a hung leader, a partition, a machine that is gone) changes nothing, and Ratis'
 * election timeout decides as before.
 *
 * <p>Safety does not depend on this: in Raft a peer may start an election at any time, and the
 * votes still go only to a candidate whose log holds every committed entry. What it can cost is
 * a needless election, which skips Ratis' pre-vote (the request is a leadership transfer's): if a
 * live leader refused connections on its Raft port, or a firewall between it and this peer began
 * to answer with resets where a partition drops packets. The leader unseated that way cannot
 * unseat this peer in turn: only a connection that was open and then closed counts. So that
 * the followers of a dead leader do not all stand at once and split the vote, only one starts
 * right away: the first of them by id; the next one {@link #STAGGER_MS} later if the term has
 * not moved by then (the first may lack the newest entries and lose), and so on.
 */
final class LeaderCrashWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderCrashWatch.class);
  /** How often the watch looks at this peer's role and leader while it waits. */
  static final int POLL_MS = 100;
  static final int CONNECT_TIMEOUT_MS = 1_000;
  /** Between the followers' turns to stand (see the class comment). */
  static final int STAGGER_MS = 200;

  /** The leader being watched: who, in which term, at which Raft address. */
  record Target(RaftPeerId leader, long term, InetSocketAddress address) {}

  private final RaftServer server;
  private final RaftPeerId self;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean closed;

  private LeaderCrashWatch(RaftServer server, RaftPeerId self) {
    this.server = server;
    this.self = self;
    this.thread = Thread.ofPlatform().daemon().name("gantry-leader-watch").unstarted(this::run);
  }

  /** Starts watching the leaders of {@code server}'s Gantry group. */
  static LeaderCrashWatch start(RaftServer server, RaftPeerId self) {
    LeaderCrashWatch w = new LeaderCrashWatch(server, self);
    w.thread.start();
    return w;
  }

  /** Calls {@code listener} each time this peer starts an election because its leader's port refused. */
  void onElection(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * This follower's turn among the followers of {@code leader} to start an election when it
   * ends: 0 for the first by id. The leader is not counted.
   */
  static int turn(Collection<RaftPeerId> peers, RaftPeerId leader, RaftPeerId self) {
    return (int) peers.stream()
        .filter(p -> !p.equals(leader) && p.toString().compareTo(self.toString()) < 0)
        .count();
  }

  private void run() {
    while (!closed) {
      try {
        Target t = target();
        if (t == null || !lostConnection(t) || !refuses(t.address())) {
          pause(POLL_MS);
          continue;
        }
        int turn = turn(peerIds(), t.leader(), self);
        if (turn > 0) {
          pause((long) turn * STAGGER_MS);
          if (!t.equals(target()) || !refuses(t.address())) continue;
        }
        startElection(t);
      } catch (IOException | RuntimeException e) {
        // The division is closing or was never started (a diverged peer): nothing to watch.
        LOG.debug("leader watch", e);
        pause(POLL_MS);
      }
    }
  }

  /** The leader this peer follows, or null when it leads, is a candidate, or knows no leader. */
  private Target target() throws IOException {
    RaftServer.Division d = server.getDivision(RaftNode.GROUP_ID);
    var info = d.getInfo();
    RaftPeerId leader = info.getLeaderId();
    if (!info.isAlive() || !info.isFollower() || leader == null || leader.equals(self)) return null;
    RaftPeer peer = d.getGroup().getPeer(leader);
    if (peer == null || peer.getAddress() == null) return null;
    return new Target(leader, info.getCurrentTerm(), HostPorts.parse(peer.getAddress()));
  }

  private boolean stillLeader(Target t) {
    try {
      return t.equals(target());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private List<RaftPeerId> peerIds() throws IOException {
    return server.getDivision(RaftNode.GROUP_ID).getGroup().getPeers().stream().map(RaftPeer::getId).toList();
  }

  /**
   * Holds a connection to {@code t}'s Raft port while {@code t} stays this peer's leader. True if
   * the other side closed or reset it. A connection never made counts for nothing: a peer that
   * cannot reach its leader from the start (say, a firewall that rejects) is left to the
   * election timeout and its pre-vote, or two such peers could unseat each other in turn.
   */
  private boolean lostConnection(Target t) {
    try (Socket s = new Socket()) {
      try {
        s.connect(t.address(), CONNECT_TIMEOUT_MS);
        s.setSoTimeout(POLL_MS);
      } catch (IOException e) {
        return false;
      }
      InputStream in = s.getInputStream();
      byte[] discard = new byte[512];
      while (!closed) {
        try {
          if (in.read(discard) < 0) return true;
        } catch (SocketTimeoutException e) {
          if (!stillLeader(t)) return false;
        }
      }
      return false;
    } catch (IOException e) {
      return !closed; // reset by the other side
    }
  }

  /** Whether a new connection to {@code address} is refused: nothing listens there. */
  private static boolean refuses(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, CONNECT_TIMEOUT_MS);
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Asks this peer's Raft server to stand now, in the name of the leader that is gone (the
   * request a leadership transfer sends). Ratis checks, as for a transfer, that this peer still
   * follows that leader in that term and that its log is not behind the entry named.
   */
  private void startElection(Target t) throws IOException {
    TermIndex last = server.getDivision(RaftNode.GROUP_ID).getRaftLog().getLastEntryTermIndex();
    if (last == null || last.getTerm() != t.term()) {
      // Ratis would refuse: this peer holds no entry of the leader's term yet.
      LOG.info("leader {} of term {} is gone (its Raft port {} refuses connections); this peer has no entry of that term,"
          + " so the election timeout decides", t.leader(), t.term(), t.address());
      return;
    }
    StartLeaderElectionRequestProto request = StartLeaderElectionRequestProto.newBuilder()
        .setServerRequest(ClientProtoUtils.toRaftRpcRequestProtoBuilder(RaftGroupMemberId.valueOf(t.leader(), RaftNode.GROUP_ID), self))
        .setLeaderLastEntry(last.toProto())
        .build();
    boolean started = server.startLeaderElection(request).getServerReply().getSuccess();
    LOG.warn("leader {} of term {} is gone (its Raft port {} refuses connections): {}", t.leader(), t.term(), t.address(),
        started ? "starting an election now" : "Ratis declined to start an election; the election timeout decides");
    if (started) listeners.forEach(Runnable::run);
  }

  private void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
