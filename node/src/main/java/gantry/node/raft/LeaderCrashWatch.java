package gantry.node.raft;

import gantry.node.config.HostPorts;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a leader whose process has ended and starts an election at once, instead of after the
 * election timeout (which Ratis' follower waits out between one and two times: 0.4-1.6 s at the
 * default 400-800 ms).
 *
 * <p>While this peer follows a leader it holds one idle TCP connection to the leader's Raft
 * port. It sends nothing on it; it only reads, and it is woken by {@link #leaderChanged} (Ratis'
 * leadership notifications) when the peer to watch may have changed, and otherwise looks again at
 * this peer's leader and term once every {@link #RECHECK_MS}. When that connection closes from the other side
 * it connects again at once: if the port <em>refuses</em>, no process listens there any more
 * (the leader was killed, crashed or stopped), and this peer asks its own Raft server to start an
 * election, as a leadership transfer would. A connect that succeeds is held as before (a dying
 * process can still take one while its listening socket closes; that connection then closes
 * too). Anything else (the connect times out: a hung leader, a partition, a machine that is
 * gone) changes nothing, and Ratis' election timeout decides as before.
 *
 * <p>Safety does not depend on this: in Raft a peer may start an election at any time, and the
 * votes still go only to a candidate whose log holds every committed entry. What it can cost is
 * a needless election, which skips Ratis' pre-vote (the request is a leadership transfer's): if a
 * live leader refused connections on its Raft port, or a firewall between it and this peer began
 * to answer with resets where a partition drops packets. The leader unseated that way cannot
 * unseat this peer in turn: only a refusal after a connection that was open and then closed
 * counts. So that the followers of a dead leader do not all stand at once and split the vote,
 * and so that the one that stands can win, they take turns by their logs: each asks the others
 * for their last entries, and the one with the longest log (ties by id) stands at once; the next
 * {@link #STAGGER_MS} later if the leader and term have not moved by then, and so on.
 */
final class LeaderCrashWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderCrashWatch.class);
  /**
   * How often the watch looks at this peer's role, leader and term without a notification. It
   * was 100 ms, a timed-out read each time: 0.45-0.55 % of a follower's CPU under the state
   * benchmark's writes (the thrown timeouts and the role checks).
   */
  static final int RECHECK_MS = 1_000;
  /** Before trying again after a connect that failed otherwise than by a refusal. */
  static final int RETRY_MS = 100;
  static final int CONNECT_TIMEOUT_MS = 1_000;
  /** Between the followers' turns to stand (see the class comment). */
  static final int STAGGER_MS = 200;
  /** Before connecting again after the leader's side closed the connection. */
  static final int RECONNECT_MS = 10;
  /** How long another follower has to tell its log position. */
  static final int PROBE_TIMEOUT_MS = 500;

  /** The leader being watched: who, in which term, at which Raft address. */
  record Target(RaftPeerId leader, long term, InetSocketAddress address) {}

  private final RaftServer server;
  private final RaftPeerId self;
  /** Asks the other followers for their log positions: one try each, {@link #PROBE_TIMEOUT_MS}. */
  private final RaftClient probe;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean closed;
  /** The last leader this watch held a connection to (logged once each). */
  private Target watching;
  /** Leadership notifications so far: a hold or wait that began before one ends. */
  private final AtomicLong changes = new AtomicLong();
  /** Notified with each leadership notification, for {@link #awaitChange}. */
  private final Object wake = new Object();
  /** The connection held now, or null; {@link #leaderChanged} and {@link #close} close it. */
  private volatile Socket holding;

  private LeaderCrashWatch(RaftServer server, RaftPeerId self, RaftClient probe) {
    this.server = server;
    this.self = self;
    this.probe = probe;
    this.thread = Thread.ofPlatform().daemon().name("gantry-leader-watch").unstarted(this::run);
  }

  /**
   * Starts watching the leaders of {@code server}'s Gantry group of {@code group}; {@code
   * clientProperties} and {@code parameters} (TLS) are those of the peer's own Raft client.
   */
  static LeaderCrashWatch start(RaftServer server, RaftPeerId self, RaftGroup group, RaftProperties clientProperties,
      Parameters parameters) {
    RaftProperties props = new RaftProperties(clientProperties);
    RaftClientConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    RaftClient probe = RaftClient.newBuilder()
        .setClientId(ClientId.randomId())
        .setRaftGroup(group)
        .setProperties(props)
        .setParameters(parameters)
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
    LeaderCrashWatch w = new LeaderCrashWatch(server, self, probe);
    w.thread.start();
    return w;
  }

  /**
   * Tells the watch that Raft named a new leader, or none, or this peer: it drops the connection
   * it holds and looks again at once. Called on Ratis' notification thread; does not block.
   */
  void leaderChanged() {
    changes.incrementAndGet();
    synchronized (wake) {
      wake.notifyAll();
    }
    closeQuietly(holding);
  }

  /** Calls {@code listener} each time this peer starts an election because its leader's port refused. */
  void onElection(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * This follower's turn among the followers of a gone leader to stand: 0 when no other follower
   * that answered holds a longer log than {@code mine} (by term, then index), nor one as long
   * with a smaller id. A follower with a shorter log would lose the vote (the others refuse a
   * candidate whose log is behind theirs), so the longest stands first. {@code others} maps the
   * other followers to their last entries, null for one that did not answer (it is not counted).
   */
  static int turn(TermIndex mine, RaftPeerId self, Map<RaftPeerId, TermIndex> others) {
    return (int) others.entrySet().stream()
        .filter(e -> e.getValue() != null && !e.getKey().equals(self))
        .filter(e -> {
          int c = e.getValue().compareTo(mine);
          return c > 0 || (c == 0 && e.getKey().toString().compareTo(self.toString()) < 0);
        })
        .count();
  }

  private void run() {
    Target lost = null; // the leader whose open connection the other side closed, while it stays the leader
    while (!closed) {
      long seen = changes.get();
      try {
        Target t = target();
        if (!Objects.equals(t, lost)) lost = null;
        if (t == null) {
          awaitChange(seen, RECHECK_MS);
          continue;
        }
        switch (hold(t, seen)) {
          case CLOSED -> {
            // Try again at once: a dying process may still complete one more connect (its listening
            // socket is closed a moment after the connection) before it refuses.
            lost = t;
            pause(RECONNECT_MS);
          }
          case REFUSED -> {
            if (t.equals(lost)) {
              standInTurn(t);
              lost = null;
            }
            awaitChange(seen, RETRY_MS);
          }
          case OTHER -> awaitChange(seen, RETRY_MS);
        }
      } catch (IOException | RuntimeException e) {
        // The division is closing or was never started (a diverged peer): nothing to watch.
        LOG.debug("leader watch", e);
        awaitChange(seen, RECHECK_MS);
      }
    }
  }

  /**
   * Stands now if this follower's log is the longest of the followers that answer (see {@link
   * #turn}), or after the turns of those ahead of it if the leader, term and refusal still hold
   * then (the first may have failed to stand).
   */
  private void standInTurn(Target t) throws IOException {
    TermIndex mine = server.getDivision(RaftNode.GROUP_ID).getRaftLog().getLastEntryTermIndex();
    if (mine == null || mine.getTerm() != t.term()) {
      // Ratis would refuse: this peer holds no entry of the leader's term yet.
      LOG.info("leader {} of term {} is gone (its Raft port {} refuses connections); this peer has no entry of that term,"
          + " so the election timeout decides", t.leader(), t.term(), t.address());
      return;
    }
    Map<RaftPeerId, TermIndex> others = new HashMap<>();
    for (RaftPeerId p : peerIds()) {
      if (!p.equals(t.leader()) && !p.equals(self)) others.put(p, lastEntryOf(p));
    }
    int turn = turn(mine, self, others);
    if (turn > 0) {
      pause((long) turn * STAGGER_MS);
      if (!t.equals(target()) || !refuses(t.address())) return;
    }
    startElection(t, mine);
  }

  /** The last entry of {@code peer}'s log as it reports it, or null if it does not answer in time. */
  private TermIndex lastEntryOf(RaftPeerId peer) {
    try {
      GroupInfoReply reply = probe.getGroupManagementApi(peer).info(RaftNode.GROUP_ID);
      if (!reply.isSuccess() || !reply.getLogInfoProto().hasLastEntry()) return null;
      return TermIndex.valueOf(reply.getLogInfoProto().getLastEntry());
    } catch (IOException | RuntimeException e) {
      LOG.debug("no log position from {}", peer, e);
      return null;
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

  /** What became of a connection to the leader's Raft port. */
  enum Outcome {
    /** It was open and the other side closed or reset it. */
    CLOSED,
    /** The connect was refused: nothing listens there. */
    REFUSED,
    /**
     * Anything else: the connect timed out or failed otherwise, {@code t} stopped being the
     * leader, or a leadership notification came (this side closed the connection).
     */
    OTHER
  }

  /**
   * Holds a connection to {@code t}'s Raft port while {@code t} stays this peer's leader. A refused
   * connect alone counts for nothing in {@link #run}: only after a connection that was open has
   * closed (a peer that cannot reach its leader from the start, say behind a firewall that
   * rejects, is left to the election timeout and its pre-vote, or two such peers could unseat
   * each other in turn). {@code seen} is the count of leadership notifications when {@code t} was
   * read: one after it ends the hold.
   */
  private Outcome hold(Target t, long seen) {
    try (Socket s = new Socket()) {
      try {
        s.connect(t.address(), CONNECT_TIMEOUT_MS);
        s.setSoTimeout(RECHECK_MS);
        // Published before the count is read again, as leaderChanged counts before it reads the
        // connection: a notification either closes this connection or is seen here.
        holding = s;
        if (changes.get() != seen || closed) return Outcome.OTHER;
        if (!t.equals(watching)) {
          watching = t;
          LOG.info("watching leader {} of term {} at {}", t.leader(), t.term(), t.address());
        }
      } catch (ConnectException e) {
        return Outcome.REFUSED;
      } catch (IOException e) {
        return Outcome.OTHER;
      }
      InputStream in = s.getInputStream();
      byte[] discard = new byte[512];
      while (!closed) {
        try {
          if (in.read(discard) < 0) return Outcome.CLOSED;
        } catch (SocketTimeoutException e) {
          if (!stillLeader(t)) return Outcome.OTHER;
        }
      }
      return Outcome.OTHER;
    } catch (IOException e) {
      // Closed by this side (a notification, or close()), else reset by the other side.
      return closed || changes.get() != seen ? Outcome.OTHER : Outcome.CLOSED;
    } finally {
      holding = null;
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
   * follows that leader in that term and that its log is not behind {@code last}, its own last
   * entry (of that term: {@link #standInTurn} checks).
   */
  private void startElection(Target t, TermIndex last) throws IOException {
    StartLeaderElectionRequestProto request = StartLeaderElectionRequestProto.newBuilder()
        .setServerRequest(ClientProtoUtils.toRaftRpcRequestProtoBuilder(RaftGroupMemberId.valueOf(t.leader(), RaftNode.GROUP_ID), self))
        .setLeaderLastEntry(last.toProto())
        .build();
    boolean started = server.startLeaderElection(request).getServerReply().getSuccess();
    LOG.warn("leader {} of term {} is gone (its Raft port {} refuses connections): {}", t.leader(), t.term(), t.address(),
        started ? "starting an election now" : "Ratis declined to start an election; the election timeout decides");
    if (started) listeners.forEach(Runnable::run);
  }

  /** Waits up to {@code ms}, or less if a leadership notification came after {@code seen} was read. */
  private void awaitChange(long seen, long ms) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
    synchronized (wake) {
      long left;
      while (!closed && changes.get() == seen && (left = end - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(wake, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closed = true;
        }
      }
    }
  }

  private static void closeQuietly(Socket s) {
    if (s == null) return;
    try {
      s.close();
    } catch (IOException e) {
      LOG.debug("closing the watched connection", e);
    }
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
    closeQuietly(holding);
    try {
      probe.close();
    } catch (IOException e) {
      LOG.debug("closing the leader watch's client", e);
    }
  }
}
