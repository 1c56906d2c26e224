package gantry.agent.driver.docker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The Docker Engine API over HTTP/1.1 on the engine's unix socket, or on {@code tcp://} in plain
 * text or TLS: one connection a call, closed after the answer, so there is no pool to size and no
 * connection to keep healthy. A call that outlives its deadline has its connection closed under
 * it. Answers of 400 and up, and 304, throw {@link EngineException} with the engine's own message.
 */
final class EngineClient {
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  private final SocketAddress address;
  private final String hostHeader;
  /** TLS on a tcp address; null for plain text. */
  private final SSLContext tls;

  private EngineClient(SocketAddress address, String hostHeader, SSLContext tls) {
    this.address = address;
    this.hostHeader = hostHeader;
    this.tls = tls;
  }

  /**
   * A client of the engine at {@code host}: {@code unix:///path} or {@code tcp://host:port}.
   *
   * @throws IllegalArgumentException naming what is not supported
   */
  static EngineClient of(URI host) {
    return of(host, null);
  }

  /**
   * As {@link #of(URI)}, speaking TLS with {@code tls} on a tcp address (a unix socket, as for the
   * docker CLI, takes no TLS: {@code tls} is not used there).
   *
   * @throws IllegalArgumentException naming what is not supported
   */
  static EngineClient of(URI host, SSLContext tls) {
    String scheme = host.getScheme() == null ? "" : host.getScheme().toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "unix":
        if (host.getPath() == null || host.getPath().isEmpty()) {
          throw new IllegalArgumentException("a unix engine address needs a socket path, e.g. unix:///var/run/docker.sock");
        }
        return new EngineClient(UnixDomainSocketAddress.of(host.getPath()), "docker", null);
      case "tcp":
      case "http":
        if (host.getHost() == null || host.getPort() < 0) {
          throw new IllegalArgumentException("a tcp engine address needs a host and a port, e.g. tcp://127.0.0.1:2375");
        }
        return new EngineClient(new InetSocketAddress(host.getHost(), host.getPort()), host.getHost() + ":" + host.getPort(), tls);
      default:
        throw new IllegalArgumentException("engine address scheme '" + scheme
            + "' is not supported (unix:///path or tcp://host:port, with DOCKER_TLS_VERIFY for TLS)");
    }
  }

  /** {@code value} encoded for a query string. */
  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * Sends {@code body} (JSON, or none when null) and returns the answer's JSON (null for an empty body).
   *
   * @throws EngineException on an answer of 304 or 400 and up
   * @throws UncheckedIOException when the engine cannot be reached or the deadline passes
   */
  Object call(String method, String path, Object body, Duration deadline) {
    byte[] answer = raw(method, path, body, deadline);
    if (answer.length == 0) return null;
    return Json.parse(new String(answer, StandardCharsets.UTF_8));
  }

  /** As {@link #call}, the answer's body as it came (the ping answers "OK", not JSON). */
  byte[] raw(String method, String path, Object body, Duration deadline) {
    return exchange(method, path, body, deadline, false, Integer.MAX_VALUE).bytes();
  }

  /**
   * As {@link #call}, for an answer that is the engine's multiplexed stdout/stderr stream (logs,
   * an attached exec): the payloads in order, at most {@code maxBytes} of them kept. When the
   * deadline passes first, the output so far with {@code complete} false.
   */
  Output stream(String method, String path, Object body, Duration deadline, int maxBytes) {
    return exchange(method, path, body, deadline, true, maxBytes).output();
  }

  /**
   * Sends a request whose answer the engine goes on writing (its event stream), with no deadline:
   * the caller reads {@link Feed#body} until it ends or {@link Feed#close} (from any thread) cuts it.
   *
   * @throws IOException when the engine cannot be reached
   */
  Feed open(String path) throws IOException {
    Connection connection = connect();
    try {
      String head = "GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nConnection: close\r\n\r\n";
      connection.out().write(head.getBytes(StandardCharsets.ISO_8859_1));
      connection.out().flush();
      return new Feed(path, connection);
    } catch (IOException | RuntimeException e) {
      connection.closeQuietly();
      throw e;
    }
  }

  /** An answer the engine goes on writing; closing it (from any thread) cuts a read in progress. */
  static final class Feed implements Closeable {
    private final String path;
    private final Connection connection;

    private Feed(String path, Connection connection) {
      this.path = path;
      this.connection = connection;
    }

    /**
     * The answer's body, once its head has come (an engine may hold the head back until it has
     * something to send).
     *
     * @throws EngineException on an answer of 304 or 400 and up
     */
    InputStream body() throws IOException {
      HttpAnswer answer = HttpAnswer.read(connection.in());
      if (answer.status() == 304 || answer.status() >= 400) {
        throw new EngineException(answer.status(), "GET " + path, engineMessage(answer.body().readNBytes(64 * 1024)));
      }
      return answer.body();
    }

    @Override
    public void close() {
      connection.closeQuietly();
    }
  }

  /** Output of a stream; {@code complete} false when the deadline cut it short. */
  record Output(String text, boolean complete) {}

  private record Answer(byte[] bytes, Output output) {}

  private Answer exchange(String method, String path, Object body, Duration deadline, boolean multiplexed, int maxBytes) {
    byte[] content = body == null ? new byte[0] : Json.write(body).getBytes(StandardCharsets.UTF_8);
    AtomicBoolean expired = new AtomicBoolean();
    try (Connection connection = connect()) {
      CompletableFuture<Void> timer = new CompletableFuture<>();
      timer.completeOnTimeout(null, Math.max(1, deadline.toMillis()), TimeUnit.MILLISECONDS)
          .thenRun(() -> {
            expired.set(true);
            connection.closeQuietly();
          });
      try {
        StringBuilder head = new StringBuilder()
            .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
            .append("Host: ").append(hostHeader).append("\r\n")
            .append("Connection: close\r\n");
        if (body != null) head.append("Content-Type: application/json\r\n");
        head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        // One write: a TLS record per call, and the engine sees the head and body together.
        ByteArrayOutputStream request = new ByteArrayOutputStream(head.length() + content.length);
        request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(content);
        connection.out().write(request.toByteArray());
        connection.out().flush();
        HttpAnswer answer = HttpAnswer.read(connection.in());
        if (answer.status() == 304 || answer.status() >= 400) {
          byte[] error = answer.body().readNBytes(64 * 1024);
          throw new EngineException(answer.status(), method + " " + path, engineMessage(error));
        }
        if (!multiplexed) return new Answer(answer.body().readAllBytes(), null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean complete = Frames.copy(answer.body(), out, maxBytes, expired);
        return new Answer(null, new Output(out.toString(StandardCharsets.UTF_8), complete && !expired.get()));
      } finally {
        timer.cancel(false);
      }
    } catch (IOException e) {
      if (expired.get()) {
        throw new UncheckedIOException(new IOException(method + " " + path + ": no answer within "
            + deadline.toMillis() + " ms", e));
      }
      throw new UncheckedIOException(new IOException(method + " " + path + " at " + address + ": " + e.getMessage(), e));
    }
  }

  /**
   * A connection for one call: a socket channel on a unix socket, a socket with a connect timeout
   * on tcp (an SSL socket with TLS). Reads are buffered: the answer's head is read a byte at a
   * time, which unbuffered would be a system call per byte.
   */
  private Connection connect() throws IOException {
    if (address instanceof UnixDomainSocketAddress) {
      SocketChannel channel = SocketChannel.open(address);
      return new Connection(new BufferedInputStream(Channels.newInputStream(channel)), Channels.newOutputStream(channel), channel);
    }
    Socket socket = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
    try {
      if (socket instanceof SSLSocket ssl) {
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the engine's certificate must name its host
        ssl.setSSLParameters(parameters);
      }
      socket.connect(address, CONNECT_TIMEOUT_MS);
      return new Connection(new BufferedInputStream(socket.getInputStream()), socket.getOutputStream(), socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private record Connection(InputStream in, OutputStream out, Closeable closer) implements Closeable {
    @Override
    public void close() throws IOException {
      closer.close();
    }

    void closeQuietly() {
      try {
        closer.close();
      } catch (IOException ignored) {
        // closing to cut a call short
      }
    }
  }

  /** The engine's {@code {"message": "..."}} sentence, or the body as text when it is not that. */
  static String engineMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    try {
      String message = Json.stringAt(Json.parse(text), "message");
      if (message != null) return message.strip();
    } catch (IllegalArgumentException notJson) {
      // a proxy's or an old engine's plain-text error
    }
    return text;
  }

  /** The engine's stdout/stderr multiplexing: an 8-byte header (stream, 0, 0, 0, size big-endian), then size bytes. */
  static final class Frames {
    private Frames() {}

    /**
     * Copies the payloads of {@code in} to {@code out} until the stream ends, keeping at most
     * {@code maxBytes}; true when it ended cleanly, false when it was cut (by {@code expired}).
     */
    static boolean copy(InputStream in, ByteArrayOutputStream out, int maxBytes, AtomicBoolean expired) throws IOException {
      byte[] header = new byte[8];
      try {
        while (true) {
          int n = in.readNBytes(header, 0, 8);
          if (n == 0) return true;
          if (n < 8) throw new EOFException("a stream frame cut after " + n + " header bytes");
          int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
          byte[] payload = in.readNBytes(size);
          int room = maxBytes - out.size();
          if (room > 0) out.write(payload, 0, Math.min(room, payload.length));
          if (payload.length < size) return false;
        }
      } catch (IOException e) {
        if (expired.get()) return false;
        throw e;
      }
    }
  }
}
