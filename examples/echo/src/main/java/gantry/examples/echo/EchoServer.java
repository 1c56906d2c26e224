package gantry.examples.echo;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The echo server. Under Gantry it takes everything from the task's environment:
 * <pre>
 * GANTRY_PORT_GRPC      the port to listen on (the agent sets GANTRY_PORT_&lt;NAME&gt; per declared port)
 * GANTRY_ALLOC_ID       the allocation named in replies (else host:port)
 * GANTRY_NODE_NAME      the node named in replies (else the host name)
 * ECHO_LOAD_MILLICORES  CPU to burn from the start (default 0)
 * </pre>
 * By hand: {@code java -jar gantry-echo.jar --port 9000}. Listens on 0.0.0.0.
 */
public final class EchoServer implements AutoCloseable {
  static final String USAGE = "usage: EchoServer [--port PORT]   (else $GANTRY_PORT_GRPC)";

  /** What the server runs with; {@code allocation} and {@code node} null = derive from the host. */
  record Config(int port, String allocation, String node, int loadMillicores) {
    /** @throws IllegalArgumentException naming the flag or variable */
    static Config from(List<String> args, Map<String, String> env) {
      String port = env.get("GANTRY_PORT_GRPC");
      String portField = "GANTRY_PORT_GRPC";
      for (int i = 0; i < args.size(); i++) {
        switch (args.get(i)) {
          case "--port" -> {
            if (i + 1 >= args.size()) throw new IllegalArgumentException("--port: needs a value");
            port = args.get(++i);
            portField = "--port";
          }
          default -> throw new IllegalArgumentException("unknown argument \"" + args.get(i) + "\"");
        }
      }
      if (port == null || port.isBlank()) throw new IllegalArgumentException("no port: pass --port or set GANTRY_PORT_GRPC");
      return new Config(number(portField, port, 0, 65535), blankToNull(env.get("GANTRY_ALLOC_ID")),
          blankToNull(env.get("GANTRY_NODE_NAME")),
          number("ECHO_LOAD_MILLICORES", env.getOrDefault("ECHO_LOAD_MILLICORES", "0"), 0, CpuBurner.MAX_MILLICORES));
    }

    private static int number(String field, String text, int min, int max) {
      int value;
      try {
        value = Integer.parseInt(text.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + ": expected a number, got \"" + text + "\"");
      }
      if (value < min || value > max) throw new IllegalArgumentException(field + ": expected " + min + ".." + max + ", got " + value);
      return value;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s;
    }
  }

  private final Server server;
  private final CpuBurner burner;
  private final String allocation;
  private final String node;

  private EchoServer(Config config) throws IOException {
    String host = hostName();
    this.burner = new CpuBurner(config.loadMillicores());
    this.node = config.node() != null ? config.node() : host;
    var named = new AtomicReference<String>(config.allocation());
    var service = new EchoService(() -> java.util.Objects.requireNonNullElse(named.get(), ""), node, burner);
    try {
      this.server = NettyServerBuilder.forAddress(new InetSocketAddress("0.0.0.0", config.port())).addService(service).build().start();
    } catch (IOException e) {
      burner.close();
      throw e;
    }
    if (named.get() == null) named.set(host + ":" + server.getPort());
    this.allocation = named.get();
  }

  /** Binds and serves; the caller closes. */
  public static EchoServer start(Config config) throws IOException {
    return new EchoServer(config);
  }

  public int port() {
    return server.getPort();
  }

  public String allocation() {
    return allocation;
  }

  public String node() {
    return node;
  }

  int loadMillicores() {
    return burner.millicores();
  }

  long burnerThreadId() {
    return burner.threadId();
  }

  /** Stops taking calls and lets the ones in flight finish, for up to 5 s. */
  @Override
  public void close() {
    burner.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) server.shutdownNow();
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public static void main(String[] args) throws Exception {
    Config config;
    try {
      config = Config.from(List.of(args), System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    EchoServer server = start(config);
    System.out.println("echo listening on 0.0.0.0:" + server.port() + " as " + server.allocation() + " on " + server.node()
        + (config.loadMillicores() > 0 ? ", burning " + config.loadMillicores() + " millicores" : ""));
    // SIGTERM from the agent: stop taking calls, let the ones in flight finish.
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    server.server.awaitTermination();
  }
}
