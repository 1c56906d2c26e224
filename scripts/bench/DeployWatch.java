// A watcher for scripts/bench/deploy.sh, run with the JDK's source launcher against the gantry jar:
//   java -cp gantry.jar scripts/bench/DeployWatch.java gantry ADDRS JOB LABEL N POLL_MS SAMPLE_MS TIMEOUT_S SAMPLES
//   java -cp gantry.jar scripts/bench/DeployWatch.java swarm SERVICE LABEL N ENV POLL_MS SAMPLE_MS TIMEOUT_S SAMPLES
// One JVM per rolling update, started before it is issued. Two threads:
//  - the sampler, every SAMPLE_MS: lists the running containers with label LABEL through the
//    Docker engine's API (its Unix socket, as the docker CLI does, without a process per call)
//    and sends each one's published port for 8080 an HTTP GET (1 s timeout, the checks'
//    timeout); appends "EPOCH_MS ANSWERING" to SAMPLES. The same count for Gantry and Swarm:
//    replicas that are running and answer, as a load balancer in front of them would see them.
//  - the main loop, every POLL_MS, until the update ended:
//    gantry: ListDeployments(JOB) over one gRPC connection; the update's deployment is the first
//            one of a job version above the newest at start; ends when it is no longer running.
//    swarm:  GET /services/SERVICE and /tasks (desired state running) from the engine; ends when
//            UpdateStatus.State is completed and N tasks run, each with ENV (e.g. VERSION=2) in
//            its container spec; or when the update paused or rolled back.
// Prints "ready EPOCH_MS" once the first sample saw N replicas answer (and, for gantry, a manager
// answered), then "done EPOCH_MS STATE" (exit 0 for SUCCESSFUL / completed, 1 otherwise), then a
// timeline of the new version's replicas, one a line, epoch ms (0 = not known):
//    gantry: "alloc INDEX CREATED STARTED HEALTHY" (placed by the leader, task started by the
//            agent, deploy health decided by the agent)
//    swarm:  "task SLOT CREATED 0 RUNNING" (created by the updater, running: healthy)
// "timeout WHAT" and exit 1 after TIMEOUT_S.
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import gantry.client.ControlClient;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

public final class DeployWatch {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
  private static final int CONTAINER_PORT = 8080;

  public static void main(String[] args) throws Exception {
    if (args.length < 9) {
      System.err.println("usage: DeployWatch gantry ADDRS JOB LABEL N POLL_MS SAMPLE_MS TIMEOUT_S SAMPLES"
          + " | swarm SERVICE LABEL N ENV POLL_MS SAMPLE_MS TIMEOUT_S SAMPLES");
      System.exit(2);
    }
    boolean gantry = args[0].equals("gantry");
    String label = gantry ? args[3] : args[2];
    int want = Integer.parseInt(gantry ? args[4] : args[3]);
    long pollMs = Long.parseLong(args[5]);
    long sampleMs = Long.parseLong(args[6]);
    long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[7])).toNanos();
    var docker = new Docker();
    var sampler = new Sampler(docker, label, sampleMs, Path.of(args[8]));
    Thread samplerThread = Thread.ofPlatform().daemon().name("sampler").start(sampler);
    int exit;
    if (gantry) {
      try (var client = new ControlClient(ControlClient.parseAddresses("addresses", args[1]), Duration.ofSeconds(5))) {
        exit = watchGantry(client, args[2], want, pollMs, deadline, sampler);
      }
    } else {
      exit = watchSwarm(docker, args[1], want, args[4], pollMs, deadline, sampler);
    }
    sampler.stop();
    samplerThread.join(3000);
    System.out.flush();
    System.exit(exit);
  }

  // ------------------------------------------------------------------ gantry

  private static int watchGantry(ControlClient client, String job, int want, long pollMs, long deadline, Sampler sampler)
      throws InterruptedException {
    long base = -1;
    while (base < 0 || sampler.maxSeen() < want) {
      if (System.nanoTime() > deadline) return timeout("baseline: " + sampler.maxSeen() + " answering, base " + base);
      if (base < 0) {
        try {
          base = deployments(client, job).stream().mapToLong(Deployment::getJobVersion).max().orElse(0);
        } catch (RuntimeException e) {
          base = -1; // an election: next poll
        }
      }
      Thread.sleep(pollMs);
    }
    say("ready " + System.currentTimeMillis());
    Deployment found = null;
    while (System.nanoTime() < deadline) {
      long now;
      try {
        found = null;
        for (Deployment d : deployments(client, job)) {
          if (d.getJobVersion() > base && (found == null || d.getJobVersion() > found.getJobVersion())) found = d;
        }
        now = System.currentTimeMillis();
      } catch (RuntimeException e) {
        Thread.sleep(pollMs);
        continue;
      }
      if (found != null && found.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_RUNNING) {
        say("done " + now + " " + found.getStatus().name().replace("DEPLOYMENT_STATUS_", "")
            + " " + found.getStatusDescription().replace('\n', ' '));
        timeline(client, job, found.getJobVersion());
        return found.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL ? 0 : 1;
      }
      Thread.sleep(pollMs);
    }
    return timeout(found == null ? "no deployment above version " + base : "deployment " + found.getId() + " "
        + found.getStatus().name() + " " + found.getGroupsMap());
  }

  private static List<Deployment> deployments(ControlClient client, String job) {
    try {
      return client.call(s -> s.listDeployments(ListDeploymentsRequest.newBuilder().setJob(job).build()))
          .getDeploymentsList();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return List.of();
      throw e;
    }
  }

  private static void timeline(ControlClient client, String job, long version) {
    try {
      List<Allocation> allocs = client.call(s -> s.listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()))
          .getAllocationsList();
      for (Allocation a : allocs) {
        if (a.getJobVersion() != version) continue;
        long started = a.getTasksMap().values().stream().mapToLong(TaskState::getStartedAtMs).max().orElse(0);
        say("alloc " + a.getIndex() + " " + a.getCreateTimeMs() + " " + started + " " + a.getDeployHealth().getTimeMs());
      }
    } catch (RuntimeException e) {
      say("# no timeline: " + e);
    }
  }

  // ------------------------------------------------------------------ swarm

  private static int watchSwarm(Docker docker, String service, int want, String env, long pollMs, long deadline,
      Sampler sampler) throws InterruptedException {
    while (sampler.maxSeen() < want) {
      if (System.nanoTime() > deadline) return timeout("baseline: " + sampler.maxSeen() + " answering");
      Thread.sleep(pollMs);
    }
    say("ready " + System.currentTimeMillis());
    String state = "";
    int fresh = 0;
    while (System.nanoTime() < deadline) {
      long now;
      List<JsonObject> tasks;
      try {
        JsonObject svc = JsonParser.parseString(docker.get("/services/" + service)).getAsJsonObject();
        JsonObject status = svc.has("UpdateStatus") ? svc.getAsJsonObject("UpdateStatus") : null;
        state = status != null && status.has("State") ? status.get("State").getAsString() : "";
        tasks = tasks(docker, service);
        now = System.currentTimeMillis();
      } catch (IOException | RuntimeException e) {
        Thread.sleep(pollMs);
        continue;
      }
      fresh = 0;
      for (JsonObject t : tasks) {
        if (str(t.getAsJsonObject("Status"), "State").equals("running") && hasEnv(t, env)) fresh++;
      }
      if (state.startsWith("paused") || state.startsWith("rollback")) {
        say("done " + now + " " + state);
        return 1;
      }
      if (state.equals("completed") && fresh == want && tasks.size() == want) {
        say("done " + now + " " + state);
        for (JsonObject t : tasks) {
          JsonObject st = t.getAsJsonObject("Status");
          say("task " + str(t, "Slot") + " " + epochMs(str(t, "CreatedAt")) + " 0 " + epochMs(str(st, "Timestamp")));
        }
        return 0;
      }
      Thread.sleep(pollMs);
    }
    return timeout("update state " + state + ", " + fresh + " tasks running with " + env);
  }

  private static List<JsonObject> tasks(Docker docker, String service) throws IOException {
    String filters = "{\"service\":[\"" + service + "\"],\"desired-state\":[\"running\"]}";
    JsonArray all = JsonParser.parseString(docker.get("/tasks?filters=" + URLEncoder.encode(filters, StandardCharsets.UTF_8)))
        .getAsJsonArray();
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : all) out.add(e.getAsJsonObject());
    return out;
  }

  private static boolean hasEnv(JsonObject task, String env) {
    JsonObject spec = task.getAsJsonObject("Spec");
    JsonObject container = spec == null ? null : spec.getAsJsonObject("ContainerSpec");
    if (container == null || !container.has("Env")) return false;
    for (JsonElement e : container.getAsJsonArray("Env")) {
      if (e.getAsString().equals(env)) return true;
    }
    return false;
  }

  private static String str(JsonObject o, String key) {
    return o != null && o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : "";
  }

  private static long epochMs(String rfc3339) {
    try {
      return Instant.parse(rfc3339).toEpochMilli();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  // ------------------------------------------------------------------ common

  private static int timeout(String what) {
    say("timeout " + what);
    return 1;
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  /** Every SAMPLE_MS: how many running containers with the label answer an HTTP GET on their port. */
  static final class Sampler implements Runnable {
    private final Docker docker;
    private final String filters;
    private final long everyMs;
    private final Path out;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(PROBE_TIMEOUT).build();
    private final AtomicInteger maxSeen = new AtomicInteger(-1);
    private volatile boolean running = true;

    Sampler(Docker docker, String label, long everyMs, Path out) {
      this.docker = docker;
      this.filters = URLEncoder.encode("{\"label\":[\"" + label + "\"]}", StandardCharsets.UTF_8);
      this.everyMs = everyMs;
      this.out = out;
    }

    int maxSeen() {
      return maxSeen.get();
    }

    void stop() {
      running = false;
    }

    @Override
    public void run() {
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING))) {
        while (running) {
          long t = System.currentTimeMillis();
          int answering;
          try {
            answering = sample();
          } catch (IOException | RuntimeException e) {
            answering = -1; // the engine did not answer: no sample
          }
          if (answering >= 0) {
            w.println(t + " " + answering);
            w.flush();
            maxSeen.accumulateAndGet(answering, Math::max);
          }
          long left = t + everyMs - System.currentTimeMillis();
          if (left > 0) Thread.sleep(left);
        }
      } catch (IOException | InterruptedException e) {
        System.err.println("sampler: " + e);
      }
    }

    private int sample() throws IOException {
      JsonArray containers = JsonParser.parseString(docker.get("/containers/json?filters=" + filters)).getAsJsonArray();
      List<CompletableFuture<Boolean>> probes = new ArrayList<>();
      for (JsonElement c : containers) {
        // The IPv4 binding: the engine (20.10) may give the IPv6 one of a random host port
        // (Swarm's host mode) another number, which on 127.0.0.1 is some other replica or none.
        int hostPort = -1;
        JsonElement list = c.getAsJsonObject().get("Ports");
        if (list == null || !list.isJsonArray()) continue;
        for (JsonElement p : list.getAsJsonArray()) {
          JsonObject port = p.getAsJsonObject();
          if (port.has("PublicPort") && port.get("PrivatePort").getAsInt() == CONTAINER_PORT
              && (hostPort < 0 || !str(port, "IP").contains(":"))) {
            hostPort = port.get("PublicPort").getAsInt();
          }
        }
        if (hostPort < 0) continue;
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hostPort + "/"))
            .timeout(PROBE_TIMEOUT).GET().build();
        probes.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
            .thenApply(r -> r.statusCode() == 200).exceptionally(e -> false));
      }
      int ok = 0;
      for (var p : probes) {
        if (p.join()) ok++;
      }
      return ok;
    }
  }

  /** GETs from the Docker engine's API over its Unix socket (DOCKER_HOST=unix://..., else /var/run/docker.sock). */
  static final class Docker {
    private final UnixDomainSocketAddress socket;

    Docker() {
      String host = System.getenv().getOrDefault("DOCKER_HOST", "");
      this.socket = UnixDomainSocketAddress.of(host.startsWith("unix://") ? host.substring("unix://".length())
          : "/var/run/docker.sock");
    }

    /** The body of GET PATH; HTTP/1.0, so the engine closes the connection after it (no chunking). */
    String get(String path) throws IOException {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(socket);
        ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: docker\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        var bytes = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        while (ch.read(buf) >= 0) {
          bytes.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        String response = bytes.toString(StandardCharsets.UTF_8);
        int end = response.indexOf("\r\n\r\n");
        if (end < 0) throw new IOException("no HTTP response from the engine");
        String statusLine = response.substring(0, response.indexOf("\r\n"));
        if (!statusLine.contains(" 200 ")) throw new IOException("engine: " + statusLine + " for " + path);
        return response.substring(end + 4);
      }
    }
  }

  private DeployWatch() {}
}
