package gantry.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzed requests to the HTTP API (node/http's HttpEndpoint on loopback, over the same single
 * peer as {@link ControlApiFuzzTest}), sent with the JDK's HttpClient as any client would.
 *
 * <p>An input is a request written as text, like HTTP itself: {@code METHOD /path?query} on the
 * first line, header lines ({@code Content-Type} is the one sent), a blank line, the body. So the
 * corpus is readable and its seeds are the requests a user makes. Characters a URI cannot carry
 * are percent-encoded; a method the client refuses to send is skipped.
 *
 * <p>The contract: no 5xx but 503 (not the leader; the one peer here always leads, so in practice
 * none), and a refused write (4xx to POST, PUT, DELETE, PATCH) leaves the state as it was
 * ({@link Observed}). {@code /v1/event/stream} is left out: it answers with a stream that ends only
 * when the client leaves (EventStreamTest covers it).
 */
class HttpApiFuzzTest {
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,16}");
  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Characters a URI's path and query carry as they are; the rest are percent-encoded. */
  private static final String URI_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/?&=:@!$'()*+,;";

  /** One cluster for the whole run (static), not one per input. */
  private static FuzzCluster cluster;
  private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT).build();

  /** Methods, paths and query keys, so mutations make requests the routes match more often. */
  @DictionaryEntries({"GET ", "POST ", "DELETE ", "PUT ", "/v1/jobs", "/v1/job/web", "/allocations", "/scale",
      "/v1/nodes", "/v1/node/n1", "/v1/allocations", "/v1/deployments", "/v1/deployment/", "/v1/status/leader",
      "/v1/services", "/v1/service/", "?stale", "&purge=true", "?job=web", "&node=n1", "Content-Type: application/json",
      "Content-Type: application/yaml", "\"group\":", "\"count\":", "job: ", "groups:", "tasks:"})
  @BeforeAll
  static void startCluster() throws Exception {
    cluster = FuzzCluster.start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) cluster.close();
  }

  @FuzzTest(maxDuration = "5m")
  void request(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8).replace("\r\n", "\n");
    int headEnd = text.indexOf("\n\n");
    String head = headEnd < 0 ? text : text.substring(0, headEnd);
    String body = headEnd < 0 ? "" : text.substring(headEnd + 2);
    String[] lines = head.split("\n", -1);
    String[] requestLine = lines[0].split(" ", 2);
    String method = requestLine[0];
    if (!TOKEN.matcher(method).matches()) return;
    String target = requestLine.length > 1 ? requestLine[1].strip() : "/";
    if (!target.startsWith("/")) target = "/" + target;
    if (target.startsWith("/v1/event/stream")) return;

    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(URI.create(cluster.http() + encoded(target))).timeout(TIMEOUT)
          .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0 && lines[i].substring(0, colon).strip().equalsIgnoreCase("Content-Type")) {
          request.header("Content-Type", lines[i].substring(colon + 1).strip());
        }
      }
    } catch (IllegalArgumentException clientWillNotSendIt) {
      return;
    }

    boolean writes = !READS.contains(method);
    Observed before = writes ? cluster.observe() : null;
    HttpResponse<String> response = send(request.build());
    int status = response.statusCode();
    String what = method + " " + target + " -> " + status + " " + response.body();
    assertFalse(status >= 500 && status != 503, "a 5xx other than 503: " + what);
    if (!writes) return;
    // 503 says the outcome is unknown (the write may still commit): nothing to compare.
    if (status >= 400 && status != 503) {
      before.assertUnchangedBy(what, cluster.observe());
    } else {
      cluster.reseed();
    }
  }

  /**
   * Sends on the shared client's pooled connections, and once more on a new connection if that
   * failed: the server may close a kept-alive connection after an answer (Jetty does when a body
   * was left unread), and a request that then meets the closed connection says nothing about the
   * request. One that gets no answer on a fresh connection is a finding.
   */
  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException pooledConnectionClosed) {
      try (HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build()) {
        return fresh.send(request, HttpResponse.BodyHandlers.ofString());
      }
    }
  }

  /** {@code target} with every character a URI cannot carry (and a stray %) percent-encoded as UTF-8. */
  private static String encoded(String target) {
    var out = new StringBuilder();
    byte[] bytes = target.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      boolean escape = b == '%' && i + 2 < bytes.length && isHex(bytes[i + 1]) && isHex(bytes[i + 2]);
      if (escape || (b < 0x80 && URI_SAFE.indexOf(b) >= 0)) {
        out.append((char) b);
      } else {
        out.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) b));
      }
    }
    return out.toString();
  }

  private static boolean isHex(byte b) {
    return Character.digit(b, 16) >= 0;
  }
}
