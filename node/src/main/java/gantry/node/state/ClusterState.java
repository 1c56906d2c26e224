package gantry.node.state;

import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.Peer;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated state of the cluster as seen by one peer, and {@link #replay} — the only
 * code that changes it. Leader and followers run the same replay on the same log.
 *
 * <p>In-memory maps serve reads; every change is also written to the entry's {@link Mutations}
 * so RocksDB holds the same state. At start the maps are rebuilt from RocksDB
 * ({@link #load}). Replay reads no clock and no random source: every such value is in the
 * record, and ids made during replay derive from the entry's index.
 *
 * <p>The records are handled by {@link JobReplay} (jobs, peers), {@link SchedulingReplay}
 * (nodes, evaluations, plans, allocation status) and, called by both, {@link DeploymentReplay}
 * (roll-outs of a job version).
 */
public final class ClusterState {
  final Map<String, Job> jobs = new ConcurrentHashMap<>();
  final Map<String, Peer> peers = new ConcurrentHashMap<>();
  final Map<String, Node> nodes = new ConcurrentHashMap<>();
  final Map<String, Allocation> allocs = new ConcurrentHashMap<>();
  final Map<String, Evaluation> evals = new ConcurrentHashMap<>();
  final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
  /** Every registered version of each job, by name then version. */
  final Map<String, java.util.NavigableMap<Long, Job>> versions = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> allocsByNode = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> allocsByJob = new ConcurrentHashMap<>();
  /**
   * service name -> the allocations whose group spec declares it (now or in an earlier spec of the
   * allocation: a reader checks the spec it holds), so a service's endpoints are found without a
   * look at every allocation.
   */
  private final Map<String, Set<String>> allocsByService = new ConcurrentHashMap<>();
  private final Map<String, String> latestEvalByJob = new ConcurrentHashMap<>();
  /** job -> its active (running, paused or blocked) deployment's id: at most one per job. */
  private final Map<String, String> activeDeploymentByJob = new ConcurrentHashMap<>();
  /**
   * Names of the jobs with a group that has a {@code scaling} block: the autoscaler's
   * once-a-second check reads these instead of every job.
   */
  private final Set<String> scaledJobs = ConcurrentHashMap.newKeySet();
  /** Ids of the BLOCKED evaluations: a node coming up unblocks them without a scan of every evaluation. */
  private final Set<String> blockedEvals = ConcurrentHashMap.newKeySet();
  private final Map<String, gantry.v1.AclPolicy> aclPolicies = new ConcurrentHashMap<>();
  private final Map<String, gantry.v1.AclToken> aclTokens = new ConcurrentHashMap<>();
  /** secret hash -> accessor id: the guard's lookup of every request. */
  private final Map<String, String> accessorByHash = new ConcurrentHashMap<>();
  private volatile boolean aclBootstrapped;
  private final AclReplay aclReplay = new AclReplay(this);
  private final JobReplay jobReplay = new JobReplay(this);
  private final SchedulingReplay schedulingReplay = new SchedulingReplay(this, jobReplay::revert);
  private final DeploymentReplay deploymentReplay = new DeploymentReplay(this);
  private final GcReplay gcReplay = new GcReplay(this);

  /** An empty state. */
  public ClusterState() {}

  /** Rebuilds the in-memory maps and indexes from the store. */
  public static ClusterState load(StateStore store) {
    ClusterState s = new ClusterState();
    // In memory a job's current version is one object in jobs and versions, and an allocation's
    // group spec is its job version's; on disk each is a copy of its own. The load shares them
    // again (where the copies are equal), as replay made them: a restarted peer would otherwise
    // hold a group spec per allocation. An allocation's names are shared as replay shares them.
    Map<String, byte[]> currentVersionBytes = new HashMap<>();
    store.scan(Keys.JOB, (k, v) -> {
      Job job = parse(Job.parser(), k, v);
      s.jobs.put(k.substring(Keys.JOB.length()), job);
      s.indexScaling(job);
      currentVersionBytes.put(Keys.jobVersion(job.getName(), job.getVersion()), v);
    });
    store.scan(Keys.JOB_VERSION, (k, v) -> {
      byte[] current = currentVersionBytes.get(k);
      s.indexVersion(current != null && Arrays.equals(current, v)
          ? s.jobs.get(k.substring(Keys.JOB_VERSION.length(), k.lastIndexOf('/')))
          : parse(Job.parser(), k, v));
    });
    store.scan(Keys.PEER, (k, v) -> s.peers.put(k.substring(Keys.PEER.length()), parse(Peer.parser(), k, v)));
    store.scan(Keys.NODE, (k, v) -> s.nodes.put(k.substring(Keys.NODE.length()), parse(Node.parser(), k, v)));
    store.scan(Keys.ALLOC, (k, v) -> s.index(s.loaded(parse(Allocation.parser(), k, v))));
    store.scan(Keys.EVAL, (k, v) -> s.indexEval(parse(Evaluation.parser(), k, v)));
    store.scan(Keys.DEPLOYMENT, (k, v) -> s.indexDeployment(parse(Deployment.parser(), k, v)));
    store.scan(Keys.ACL_POLICY, (k, v) -> {
      var p = parse(gantry.v1.AclPolicy.parser(), k, v);
      s.aclPolicies.put(p.getName(), p);
    });
    store.scan(Keys.ACL_TOKEN, (k, v) -> s.indexAclToken(parse(gantry.v1.AclToken.parser(), k, v)));
    s.aclBootstrapped = store.get(Keys.ACL_BOOTSTRAPPED) != null;
    return s;
  }

  /**
   * Applies one record at Raft index {@code index}.
   *
   * @param changes collects what the entry touched, for the leader's components
   * @return what it did, for the proposer's caller
   */
  public RecordOutcome replay(Record record, long index, Mutations out, Changes changes) {
    return switch (record.getKindCase()) {
      case JOB_REGISTERED -> jobReplay.register(record.getJobRegistered(), index, out, changes);
      case JOB_STOPPED -> jobReplay.stop(record.getJobStopped(), index, out, changes);
      case JOB_PURGED -> jobReplay.purge(record.getJobPurged(), index, out, changes);
      case JOB_SCALED -> jobReplay.scale(record.getJobScaled(), index, out, changes);
      case PEER_ANNOUNCED -> jobReplay.announcePeer(record.getPeerAnnounced(), out);
      case NODE_REGISTERED -> schedulingReplay.registerNode(record.getNodeRegistered(), index, out, changes);
      case NODE_STATUS_CHANGED -> schedulingReplay.nodeStatus(record.getNodeStatusChanged(), index, out, changes);
      case NODE_DRAIN_SET -> schedulingReplay.drain(record.getNodeDrainSet(), index, out, changes);
      case PLAN_APPLIED -> schedulingReplay.applyPlan(record.getPlanApplied(), index, out, changes);
      case ALLOCATIONS_UPDATED -> schedulingReplay.updateAllocs(record.getAllocationsUpdated(), index, out, changes);
      case DEPLOYMENT_CHANGED -> deploymentReplay.changed(record.getDeploymentChanged(), index, out, changes, jobReplay::revert);
      case JOB_REVERTED -> jobReplay.revert(record.getJobReverted(), index, out, changes);
      case ACL_BOOTSTRAPPED -> aclReplay.bootstrap(record.getAclBootstrapped(), index, out);
      case ACL_POLICY_APPLIED -> aclReplay.applyPolicy(record.getAclPolicyApplied(), index, out);
      case ACL_POLICY_DELETED -> aclReplay.deletePolicy(record.getAclPolicyDeleted(), out);
      case ACL_TOKEN_CREATED -> aclReplay.createToken(record.getAclTokenCreated(), index, out);
      case ACL_TOKEN_REVOKED -> aclReplay.revokeToken(record.getAclTokenRevoked(), out);
      case GARBAGE_COLLECTED -> gcReplay.collect(record.getGarbageCollected(), out, changes);
      // A restore replaces the store itself; the state machine applies these (raft/StateRestore), alone in their entry.
      case STATE_RESTORE_CHUNK, STATE_RESTORED -> RecordOutcome.newBuilder().setErrorCode("INVALID_ARGUMENT")
          .setErrorMessage("a snapshot restore record must be alone in its entry").build();
      case KIND_NOT_SET -> throw new IllegalArgumentException("record without a kind at index " + index);
    };
  }

  // ---- writes, used by the replay classes only ----

  void putJob(Job job, Mutations out) {
    jobs.put(job.getName(), job);
    indexScaling(job);
    out.put(Keys.job(job.getName()), job);
  }

  /** Forgets a job (not its versions); returns it, or null if there was none. */
  Job removeJob(String name) {
    scaledJobs.remove(name);
    return jobs.remove(name);
  }

  private void indexScaling(Job job) {
    if (job.getSpec().getGroupsList().stream().anyMatch(GroupSpec::hasScaling)) {
      scaledJobs.add(job.getName());
    } else {
      scaledJobs.remove(job.getName());
    }
  }

  void putJobVersion(Job job, Mutations out) {
    indexVersion(job);
    out.put(Keys.jobVersion(job.getName(), job.getVersion()), job);
  }

  /** Forgets every version of a job, here and in the store; returns how many there were. */
  int deleteJobVersions(String name, Mutations out) {
    java.util.NavigableMap<Long, Job> all = versions.remove(name);
    if (all == null) return 0;
    all.keySet().forEach(v -> out.delete(Keys.jobVersion(name, v)));
    return all.size();
  }

  /** Forgets one version of a job, here and in the store (the GC); false if there was none. */
  boolean removeJobVersion(String name, long version, Mutations out) {
    java.util.NavigableMap<Long, Job> all = versions.get(name);
    if (all == null || all.remove(version) == null) return false;
    out.delete(Keys.jobVersion(name, version));
    return true;
  }

  void putDeployment(Deployment d, Mutations out) {
    indexDeployment(d);
    out.put(Keys.deployment(d.getId()), d);
  }

  private void indexDeployment(Deployment d) {
    deployments.put(d.getId(), d);
    if (DeploymentMachine.isActive(d.getStatus())) {
      activeDeploymentByJob.put(d.getJob(), d.getId());
    } else {
      activeDeploymentByJob.remove(d.getJob(), d.getId());
    }
  }

  private void indexVersion(Job job) {
    versions.computeIfAbsent(job.getName(), k -> new java.util.concurrent.ConcurrentSkipListMap<>()).put(job.getVersion(), job);
  }

  void putNode(Node node, Mutations out) {
    nodes.put(node.getId(), node);
    out.put(Keys.node(node.getId()), node);
  }

  /** Builds {@code b}, its repeated names shared ({@link SharedNames}), and stores it. */
  void putAlloc(Allocation.Builder b, Mutations out) {
    Allocation a = SharedNames.share(b).build();
    index(a);
    out.put(Keys.alloc(a.getId()), a);
  }

  void putEval(Evaluation e, Mutations out) {
    indexEval(e);
    out.put(Keys.eval(e.getId()), e);
  }

  private void index(Allocation a) {
    allocs.put(a.getId(), a);
    allocsByNode.computeIfAbsent(a.getNodeId(), k -> ConcurrentHashMap.newKeySet()).add(a.getId());
    allocsByJob.computeIfAbsent(a.getJob(), k -> ConcurrentHashMap.newKeySet()).add(a.getId());
    for (gantry.v1.TaskSpec t : a.getGroupSpec().getTasksList()) {
      if (t.hasService()) {
        allocsByService.computeIfAbsent(t.getService().getName(), k -> ConcurrentHashMap.newKeySet()).add(a.getId());
      }
    }
  }

  /**
   * {@code a} as replay would have made it: its names shared ({@link SharedNames}) and its job
   * version's group spec object in place of an equal copy.
   */
  private Allocation loaded(Allocation a) {
    Allocation.Builder b = SharedNames.share(a.toBuilder());
    java.util.NavigableMap<Long, Job> all = a.hasGroupSpec() ? versions.get(a.getJob()) : null;
    Job version = all == null ? null : all.get(a.getJobVersion());
    if (version != null) {
      SchedulingReplay.groupSpec(version, a.getGroup()).filter(g -> g.equals(a.getGroupSpec())).ifPresent(b::setGroupSpec);
    }
    return b.build();
  }

  /** Forgets an allocation and its index entries, here and in the store (the GC). */
  void removeAlloc(Allocation a, Mutations out) {
    String id = a.getId();
    allocs.remove(id);
    unindex(allocsByNode, a.getNodeId(), id);
    unindex(allocsByJob, a.getJob(), id);
    // An allocation is indexed under every service any of its specs declared: look in each.
    for (String service : List.copyOf(allocsByService.keySet())) unindex(allocsByService, service, id);
    out.delete(Keys.alloc(id));
  }

  private static void unindex(Map<String, Set<String>> index, String key, String id) {
    index.computeIfPresent(key, (k, ids) -> {
      ids.remove(id);
      return ids.isEmpty() ? null : ids;
    });
  }

  /** Forgets a node, here and in the store (the GC: a down node with no allocation left). */
  void removeNode(String id, Mutations out) {
    nodes.remove(id);
    out.delete(Keys.node(id));
  }

  /** Forgets an ended deployment, here and in the store (the GC). */
  void removeDeployment(Deployment d, Mutations out) {
    deployments.remove(d.getId());
    activeDeploymentByJob.remove(d.getJob(), d.getId());
    out.delete(Keys.deployment(d.getId()));
  }

  /** Forgets an evaluation, here and in the store (the GC). */
  void removeEval(Evaluation e, Mutations out) {
    evals.remove(e.getId());
    blockedEvals.remove(e.getId());
    latestEvalByJob.remove(e.getJob(), e.getId());
    out.delete(Keys.eval(e.getId()));
  }

  private void indexEval(Evaluation e) {
    evals.put(e.getId(), e);
    if (e.getStatus() == gantry.v1.EvalStatus.EVAL_STATUS_BLOCKED) {
      blockedEvals.add(e.getId());
    } else {
      blockedEvals.remove(e.getId());
    }
    latestEvalByJob.merge(e.getJob(), e.getId(),
        (old, neu) -> evals.get(old).getCreateIndex() > e.getCreateIndex() ? old : neu);
  }

  void markAclBootstrapped(long index, Mutations out) {
    aclBootstrapped = true;
    out.put(Keys.ACL_BOOTSTRAPPED, com.google.protobuf.UInt64Value.of(index));
  }

  void putAclPolicy(gantry.v1.AclPolicy p, Mutations out) {
    aclPolicies.put(p.getName(), p);
    out.put(Keys.aclPolicy(p.getName()), p);
  }

  void deleteAclPolicy(String name, Mutations out) {
    aclPolicies.remove(name);
    out.delete(Keys.aclPolicy(name));
  }

  void putAclToken(gantry.v1.AclToken t, Mutations out) {
    indexAclToken(t);
    out.put(Keys.aclToken(t.getAccessorId()), t);
  }

  void deleteAclToken(String accessor, Mutations out) {
    gantry.v1.AclToken t = aclTokens.remove(accessor);
    if (t != null) accessorByHash.remove(t.getSecretHash(), accessor);
    out.delete(Keys.aclToken(accessor));
  }

  private void indexAclToken(gantry.v1.AclToken t) {
    aclTokens.put(t.getAccessorId(), t);
    accessorByHash.put(t.getSecretHash(), t.getAccessorId());
  }

  // ---- reads ----

  /** Whether the first management token was made (gantry acl bootstrap). */
  public boolean aclBootstrapped() {
    return aclBootstrapped;
  }

  public Optional<gantry.v1.AclPolicy> aclPolicy(String name) {
    return Optional.ofNullable(aclPolicies.get(name));
  }

  /** Every policy, by name. */
  public List<gantry.v1.AclPolicy> aclPolicies() {
    return aclPolicies.values().stream().sorted(Comparator.comparing(gantry.v1.AclPolicy::getName)).toList();
  }

  public Optional<gantry.v1.AclToken> aclToken(String accessor) {
    return Optional.ofNullable(aclTokens.get(accessor));
  }

  /** The token whose secret hashes to this, if any. */
  public Optional<gantry.v1.AclToken> aclTokenByHash(String secretHash) {
    String accessor = accessorByHash.get(secretHash);
    return accessor == null ? Optional.empty() : Optional.ofNullable(aclTokens.get(accessor));
  }

  /** Every token, oldest first. */
  public List<gantry.v1.AclToken> aclTokens() {
    return aclTokens.values().stream().sorted(Comparator.comparingLong(gantry.v1.AclToken::getCreateIndex)
        .thenComparing(gantry.v1.AclToken::getAccessorId)).toList();
  }


  /** Every registered version of a job, oldest first. */
  public List<Job> jobVersions(String name) {
    var all = versions.get(name);
    return all == null ? List.of() : List.copyOf(all.values());
  }

  /** Deployments, newest first; of one job if {@code job} is not empty. */
  public List<Deployment> deployments(String job) {
    return deployments.values().stream()
        .filter(d -> job.isEmpty() || d.getJob().equals(job))
        .sorted(Comparator.comparingLong(Deployment::getCreateIndex).reversed().thenComparing(Deployment::getId))
        .toList();
  }

  public Optional<Deployment> deployment(String id) {
    return Optional.ofNullable(deployments.get(id));
  }

  /** The deployment of a job that has not ended (running, paused or blocked), if any: at most one. */
  public Optional<Deployment> activeDeployment(String job) {
    String id = activeDeploymentByJob.get(job);
    return id == null ? Optional.empty() : Optional.ofNullable(deployments.get(id));
  }

  /** Every deployment that has not ended, for the leader's progress-deadline watcher. */
  public List<Deployment> activeDeployments() {
    return activeDeploymentByJob.values().stream().map(deployments::get).filter(java.util.Objects::nonNull).toList();
  }

  public Optional<Job> job(String name) {
    return Optional.ofNullable(jobs.get(name));
  }

  /** Jobs whose name starts with {@code prefix}, sorted by name. */
  public List<Job> jobs(String prefix) {
    return jobs.values().stream().filter(j -> j.getName().startsWith(prefix))
        .sorted(Comparator.comparing(Job::getName)).toList();
  }

  public int jobCount() {
    return jobs.size();
  }

  public Optional<Node> node(String id) {
    return Optional.ofNullable(nodes.get(id));
  }

  /** The node with this id, or else the one with this name. */
  public Optional<Node> nodeByIdOrName(String idOrName) {
    Node byId = nodes.get(idOrName);
    if (byId != null) return Optional.of(byId);
    return nodes.values().stream().filter(n -> n.getName().equals(idOrName)).findFirst();
  }

  public List<Node> nodes() {
    return nodes.values().stream().sorted(Comparator.comparing(Node::getName).thenComparing(Node::getId)).toList();
  }

  public Optional<Allocation> alloc(String id) {
    return Optional.ofNullable(allocs.get(id));
  }

  public List<Allocation> allocsOfNode(String nodeId) {
    return resolve(allocsByNode.get(nodeId));
  }

  /**
   * The allocations of a node in no particular order: for sums (usage), where
   * {@link #allocsOfNode}'s sorting is wasted.
   */
  public List<Allocation> allocsOfNodeUnordered(String nodeId) {
    return unordered(allocsByNode.get(nodeId));
  }

  /** The allocations of a job in no particular order (a snapshot sorts them itself). */
  public List<Allocation> allocsOfJobUnordered(String job) {
    return unordered(allocsByJob.get(job));
  }

  /** Every node, in no particular order: for scans that need no sorting. */
  public Collection<Node> nodesUnordered() {
    return java.util.Collections.unmodifiableCollection(nodes.values());
  }

  private List<Allocation> unordered(Set<String> ids) {
    if (ids == null) return List.of();
    List<Allocation> out = new java.util.ArrayList<>(ids.size());
    for (String id : ids) {
      Allocation a = allocs.get(id);
      if (a != null) out.add(a);
    }
    return out;
  }

  public List<Allocation> allocsOfJob(String job) {
    return resolve(allocsByJob.get(job));
  }

  public List<Allocation> allocs() {
    return List.copyOf(allocs.values());
  }

  public Optional<Evaluation> eval(String id) {
    return Optional.ofNullable(evals.get(id));
  }

  public Optional<Evaluation> latestEval(String job) {
    return Optional.ofNullable(latestEvalByJob.get(job)).map(evals::get);
  }

  /** The BLOCKED evaluations, in no particular order. */
  List<Evaluation> blockedEvals() {
    return blockedEvals.stream().map(evals::get).filter(java.util.Objects::nonNull).toList();
  }

  public List<Evaluation> evals() {
    return List.copyOf(evals.values());
  }

  public Collection<Job> allJobs() {
    return List.copyOf(jobs.values());
  }

  /**
   * The allocations whose group spec declares {@code service} or did in an earlier spec of the
   * allocation (check the spec), in no particular order.
   */
  public List<Allocation> allocsOfService(String service) {
    Set<String> ids = allocsByService.get(service);
    if (ids == null) return List.of();
    return ids.stream().map(allocs::get).filter(java.util.Objects::nonNull).toList();
  }

  /** The jobs with a group that has a {@code scaling} block, in no particular order. */
  public List<Job> scaledJobs() {
    return scaledJobs.stream().map(jobs::get).filter(java.util.Objects::nonNull).toList();
  }

  /** Peers that announced their addresses, by id. */
  public Map<String, Peer> announcedPeers() {
    return Map.copyOf(peers);
  }

  private List<Allocation> resolve(Set<String> ids) {
    if (ids == null) return List.of();
    return ids.stream().map(allocs::get).filter(java.util.Objects::nonNull)
        .sorted(Comparator.comparing(Allocation::getCreateIndex).thenComparing(Allocation::getId)).toList();
  }

  private static <T> T parse(com.google.protobuf.Parser<T> parser, String key, byte[] value) {
    try {
      return parser.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt value at " + key + ": " + e.getMessage(), e);
    }
  }
}
