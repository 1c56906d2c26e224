package gantry.node.guard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.FreePorts;
import gantry.node.ManagerPeer;
import gantry.node.acl.Secrets;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.*;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACLs on one real peer (Ratis, RocksDB, gRPC and Jetty on loopback), asked as the CLI and an
 * HTTP client ask: deny by default, one bootstrap, read-only and prefix tokens, the audit line
 * of an allowed write and of a denial recorded before the caller has its answer, and no secret
 * in any file of the data directory.
 */
class AclGuardTest {
  @TempDir static Path dir;
  static ManagerPeer peer;
  static ManagedChannel channel;
  static final List<AuditEntry> audited = new CopyOnWriteArrayList<>();
  /** What the caller of the current call had when each entry was recorded: must be nothing yet. */
  static final List<Boolean> answeredWhenRecorded = new CopyOnWriteArrayList<>();
  static final AtomicBoolean answered = new AtomicBoolean();
  static final AtomicBoolean auditBroken = new AtomicBoolean();
  static final List<String> secrets = new ArrayList<>();
  static String root;

  @BeforeAll
  static void start() throws Exception {
    AuditSink recording = entry -> {
      if (auditBroken.get()) throw new IOException("disk full");
      answeredWhenRecorded.add(answered.get());
      audited.add(entry);
    };
    peer = ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
        "id", "m1", "data_dir", dir.resolve("m1").toString(), "peers", "m1=127.0.0.1:" + FreePorts.next(),
        "grpc_addr", "127.0.0.1:" + FreePorts.next(), "http_addr", "127.0.0.1:" + FreePorts.next(), "acl", "true")), recording);
    channel = ManagedChannelBuilder.forTarget(peer.grpcAddress()).usePlaintext().build();
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> stub("").getLeader(GetLeaderRequest.getDefaultInstance()) != null);
    BootstrapAclResponse boot = await().atMost(Duration.ofSeconds(30)).ignoreExceptionsMatching(e -> !isDenied(e))
        .until(() -> stub("").bootstrapAcl(BootstrapAclRequest.getDefaultInstance()), r -> true);
    root = boot.getSecret();
    secrets.add(root);
    assertTrue(boot.getToken().getManagement());
    stub(root).applyAclPolicy(ApplyAclPolicyRequest.newBuilder().setName("readonly").setRules("jobs: read\n").build());
    stub(root).applyAclPolicy(ApplyAclPolicyRequest.newBuilder().setName("team-a")
        .setRules("jobs: {access: write, prefix: team-a-}\n").build());
    for (String job : List.of("team-a-web", "team-b-web", "other")) {
      stub(root).registerJob(RegisterJobRequest.newBuilder().setSpec(job(job)).build());
    }
  }

  @AfterAll
  static void stop() {
    if (channel != null) channel.shutdownNow();
    if (peer != null) peer.close();
  }

  private static boolean isDenied(Throwable e) {
    return e instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.PERMISSION_DENIED;
  }

  static ControlServiceGrpc.ControlServiceBlockingStub stub(String secret) {
    Metadata headers = new Metadata();
    if (!secret.isEmpty()) headers.put(GuardInterceptor.TOKEN, secret);
    return ControlServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  static JobSpec job(String name) {
    return JobSpec.newBuilder().setName(name).setType("batch").addGroups(GroupSpec.newBuilder().setName("g").setCount(1)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true")
            .setResources(Resources.newBuilder().setCpu(100).setMemory(32)))).build();
  }

  static String token(String name, String policy) {
    CreateAclTokenResponse created = stub(root).createAclToken(CreateAclTokenRequest.newBuilder().setName(name).addPolicies(policy).build());
    secrets.add(created.getSecret());
    return created.getSecret();
  }

  static StatusRuntimeException denied(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run);
  }

  @Test
  void withoutATokenEverythingButTheLeaderIsDenied() {
    StatusRuntimeException e = denied(() -> stub("").listJobs(ListJobsRequest.getDefaultInstance()));
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("permission denied: no token sent"), e.getStatus().toString());
    e = denied(() -> stub(Secrets.newSecret()).listJobs(ListJobsRequest.getDefaultInstance()));
    assertTrue(e.getStatus().getDescription().startsWith("permission denied: unknown token"), e.getStatus().toString());
    assertTrue(stub("").getLeader(GetLeaderRequest.getDefaultInstance()).hasLeader());
  }

  @Test
  void bootstrapHappensOnce() {
    StatusRuntimeException e = denied(() -> stub("").bootstrapAcl(BootstrapAclRequest.getDefaultInstance()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("ACLs are already bootstrapped", e.getStatus().getDescription());
  }

  @Test
  void aReadOnlyTokenListsJobsButCannotStopOneAndManagementCan() {
    String readonly = token("ro", "readonly");
    List<String> names = stub(readonly).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream().map(Job::getName).toList();
    assertTrue(names.containsAll(List.of("team-a-web", "team-b-web", "other")), names.toString());
    String accessor = stub(root).listAclTokens(ListAclTokensRequest.getDefaultInstance()).getTokensList().stream()
        .filter(t -> t.getName().equals("ro")).findFirst().orElseThrow().getAccessorId();

    audited.clear();
    answeredWhenRecorded.clear();
    answered.set(false);
    StatusRuntimeException e = denied(() -> stub(readonly).deregisterJob(DeregisterJobRequest.newBuilder().setName("other").build()));
    answered.set(true);
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals("permission denied: jobs:write needed", e.getStatus().getDescription());
    AuditEntry denial = audited.getLast();
    assertEquals("gantry.v1.ControlService/DeregisterJob", denial.method());
    assertEquals("denied", denial.outcome());
    assertEquals("other", denial.target());
    assertEquals(accessor, denial.accessor());
    assertEquals("permission denied: jobs:write needed", denial.reason());

    answered.set(false);
    DeregisterJobResponse stopped = stub(root).deregisterJob(DeregisterJobRequest.newBuilder().setName("other").build());
    answered.set(true);
    assertEquals(JobStatus.JOB_STATUS_STOPPED, stopped.getJob().getStatus());
    AuditEntry write = audited.getLast();
    assertEquals("ok", write.outcome());
    assertEquals("other", write.target());
    assertEquals(List.of(false, false), answeredWhenRecorded, "each line was recorded before its caller had the answer");
    assertTrue(audited.stream().noneMatch(a -> a.toString().contains(root) || a.toString().contains(readonly)));
  }

  @Test
  void aPrefixTokenSeesAndChangesOnlyItsJobs() {
    String teamA = token("team-a", "team-a");
    assertEquals(List.of("team-a-web"), stub(teamA).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
        .map(Job::getName).toList());
    assertTrue(stub(teamA).listAllocations(ListAllocationsRequest.getDefaultInstance()).getAllocationsList().stream()
        .allMatch(a -> a.getJob().startsWith("team-a-")));
    assertEquals("team-a-web", stub(teamA).getJob(GetJobRequest.newBuilder().setName("team-a-web").build()).getJob().getName());
    assertEquals("permission denied: jobs:read needed",
        denied(() -> stub(teamA).getJob(GetJobRequest.newBuilder().setName("team-b-web").build())).getStatus().getDescription());
    assertTrue(stub(teamA).registerJob(RegisterJobRequest.newBuilder().setSpec(job("team-a-new")).build()).getChanged());
    assertEquals("permission denied: jobs:write needed",
        denied(() -> stub(teamA).registerJob(RegisterJobRequest.newBuilder().setSpec(job("team-b-new")).build())).getStatus().getDescription());
    assertEquals("permission denied: acl:write needed", denied(() -> stub(teamA).createAclToken(
        CreateAclTokenRequest.newBuilder().setName("escalate").addPolicies("readonly").build())).getStatus().getDescription());
  }

  @Test
  void anExpiredOrRevokedTokenIsRefused() throws Exception {
    CreateAclTokenResponse brief = stub(root).createAclToken(CreateAclTokenRequest.newBuilder().setName("brief")
        .addPolicies("readonly").setTtlMs(1).build());
    secrets.add(brief.getSecret());
    await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > brief.getToken().getExpireTimeMs());
    assertTrue(denied(() -> stub(brief.getSecret()).listJobs(ListJobsRequest.getDefaultInstance())).getStatus()
        .getDescription().endsWith(" expired"));

    String gone = token("gone", "readonly");
    String accessor = stub(root).listAclTokens(ListAclTokensRequest.getDefaultInstance()).getTokensList().stream()
        .filter(t -> t.getName().equals("gone")).findFirst().orElseThrow().getAccessorId();
    stub(gone).listJobs(ListJobsRequest.getDefaultInstance());
    stub(root).revokeAclToken(RevokeAclTokenRequest.newBuilder().setAccessorId(accessor).build());
    assertTrue(denied(() -> stub(gone).listJobs(ListJobsRequest.getDefaultInstance())).getStatus().getDescription()
        .contains("unknown token"));
    assertEquals(Status.Code.NOT_FOUND, denied(() -> stub(root).revokeAclToken(
        RevokeAclTokenRequest.newBuilder().setAccessorId(accessor).build())).getStatus().getCode());
    assertEquals(Status.Code.NOT_FOUND, denied(() -> stub(root).deleteAclPolicy(
        DeleteAclPolicyRequest.newBuilder().setName("no-such").build())).getStatus().getCode());
  }

  @Test
  void aBadPolicyNamesTheKey() {
    StatusRuntimeException e = denied(() -> stub(root).applyAclPolicy(
        ApplyAclPolicyRequest.newBuilder().setName("bad").setRules("jobs: {access: wrte}\n").build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("jobs.access: expected read, write or deny, got \"wrte\"", e.getStatus().getDescription());
  }

  @Test
  void aWriteThatCannotBeAuditedFailsUnavailable() {
    auditBroken.set(true);
    try {
      StatusRuntimeException e = denied(() -> stub(root).registerJob(RegisterJobRequest.newBuilder().setSpec(job("unaudited")).build()));
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
      assertEquals("audit log not writable", e.getStatus().getDescription());
    } finally {
      auditBroken.set(false);
    }
  }

  @Test
  void theWebUiPagesAreOpenAndTheirDataIsNot() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : List.of("/", "/ui/jobs/team-a-web", "/ui/assets/app.js", "/ui/assets/app.css")) {
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode(), path + ": " + page.body());
    }
    HttpResponse<String> data = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/job/team-a-web")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, data.statusCode(), data.body());
  }

  @Test
  void httpAsksTheSameTable() throws Exception {
    String teamA = token("team-a-http", "team-a");
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/jobs")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, none.statusCode());
    assertTrue(none.body().contains("permission denied: no token sent"), none.body());
    HttpResponse<String> cut = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/jobs"))
        .header("X-Gantry-Token", teamA).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, cut.statusCode(), cut.body());
    assertTrue(cut.body().contains("team-a-web") && !cut.body().contains("team-b-web"), cut.body());
    HttpResponse<String> evals = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/evaluations"))
        .header("X-Gantry-Token", teamA).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, evals.statusCode(), evals.body());
    assertTrue(evals.body().contains("team-a-web") && !evals.body().contains("team-b-web"), "evaluations cut like jobs: " + evals.body());
    assertEquals(403, http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/evaluations?job=team-b-web"))
        .header("X-Gantry-Token", teamA).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

    audited.clear();
    HttpResponse<String> stop = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/job/team-b-web"))
        .header("X-Gantry-Token", teamA).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, stop.statusCode());
    assertTrue(stop.body().contains("permission denied: jobs:write needed"), stop.body());
    assertEquals("denied", audited.getLast().outcome());
    assertEquals("DELETE /v1/job/team-b-web", audited.getLast().method());

    HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/job/team-a-web"))
        .header("X-Gantry-Token", root).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, allowed.statusCode(), allowed.body());
    assertEquals("ok", audited.getLast().outcome());
    assertEquals("team-a-web", audited.getLast().target());
  }

  @Test
  void anHttpWriteThatCannotBeAuditedIs503() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    auditBroken.set(true);
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/job/team-b-web"))
          .header("X-Gantry-Token", root).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(r.body().contains("audit log not writable"), r.body());
    } finally {
      auditBroken.set(false);
    }
  }

  @Test
  void aPrefixTokenCannotActOnADeploymentItCannotResolve() {
    String teamA = token("team-a-deploy", "team-a");
    StatusRuntimeException e = denied(() -> stub(teamA).changeDeployment(ChangeDeploymentRequest.newBuilder()
        .setId("ffffffff").setAction(DeploymentAction.DEPLOYMENT_ACTION_PAUSE).build()));
    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals(Status.Code.NOT_FOUND, denied(() -> stub(root).changeDeployment(ChangeDeploymentRequest.newBuilder()
        .setId("ffffffff").setAction(DeploymentAction.DEPLOYMENT_ACTION_PAUSE).build())).getStatus().getCode());
  }

  @Test
  void noSecretIsInAnyFileOfTheDataDirectoryOnlyItsHash() throws Exception {
    String own = token("own", "readonly");
    byte[] data = readAll(dir.resolve("m1"));
    for (String secret : List.copyOf(secrets)) {
      assertFalse(contains(data, secret.getBytes(StandardCharsets.UTF_8)), "a secret is stored in the data directory");
    }
    assertTrue(contains(data, Secrets.hash(own).getBytes(StandardCharsets.UTF_8)), "the search finds what is stored (the hash)");
  }

  private static byte[] readAll(Path root) throws IOException {
    var out = new java.io.ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        try {
          out.write(Files.readAllBytes(f));
          out.write(0);
        } catch (IOException vanished) {
          // RocksDB and Ratis replace files as they go; a file gone since the walk held nothing new
        }
      }
    }
    return out.toByteArray();
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return true;
    }
    return false;
  }
}
