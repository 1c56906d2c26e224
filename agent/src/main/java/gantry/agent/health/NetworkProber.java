package gantry.agent.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;

/**
 * Probes http and tcp checks (exec checks go to the task's driver, see {@link TaskProbes}) on 127.0.0.1 with blocking I/O (the runner calls it from its own
 * virtual thread).
 */
public final class NetworkProber implements HealthProber {
  private static final String HOST = "127.0.0.1";

  @Override
  public Result probe(HealthCheck check) {
    return switch (check) {
      case HealthCheck.Http h -> http(h);
      case HealthCheck.Tcp t -> tcp(t);
      case HealthCheck.Unsupported u -> new Result(false, u.why());
      // The runner sends exec checks to the task's driver (TaskProbes); nothing to dial here.
      case HealthCheck.Exec e -> new Result(false, "exec checks run through the task's driver");
    };
  }

  private static Result http(HealthCheck.Http h) {
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) URI.create("http://" + HOST + ":" + h.port() + h.path()).toURL().openConnection();
      int ms = (int) Math.max(1, h.timeout().toMillis());
      c.setConnectTimeout(ms);
      c.setReadTimeout(ms);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      int code = c.getResponseCode();
      drain(c, code);
      return new Result(code >= 200 && code < 400, "HTTP " + code + " from " + HOST + ":" + h.port() + h.path());
    } catch (IOException | RuntimeException e) {
      return new Result(false, "GET " + HOST + ":" + h.port() + h.path() + ": " + e.getMessage());
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private static void drain(HttpURLConnection c, int code) {
    try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readNBytes(64 * 1024);
      }
    } catch (IOException ignored) {
      // the status code is all a check needs
    }
  }

  private static Result tcp(HealthCheck.Tcp t) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, t.port()), (int) Math.max(1, t.timeout().toMillis()));
      return new Result(true, "connected to " + HOST + ":" + t.port());
    } catch (IOException e) {
      return new Result(false, "connect " + HOST + ":" + t.port() + ": " + e.getMessage());
    }
  }
}
