package gantry.cli.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy to one target, for a socket-level partition: {@link #cut()} makes it
 * silent (bytes in either direction are read and dropped, new connections are accepted and
 * never forwarded — no RST, no FIN, as when a cable is pulled); {@link #heal()} closes what was
 * open during the cut and forwards new connections again.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  TcpProxy(int targetPort) throws IOException {
    this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
    this.server = new ServerSocket(PeerProcesses.freePort(), 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("proxy-accept").start(this::accept);
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  void cut() {
    cut = true;
  }

  void heal() {
    for (Socket s : sockets) closeQuietly(s);
    sockets.clear();
    cut = false;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        if (cut) {
          Thread.ofVirtual().start(() -> drain(client));
          continue;
        }
        Socket upstream = new Socket();
        try {
          upstream.connect(target, 2000);
        } catch (IOException e) {
          closeQuietly(client);
          continue;
        }
        sockets.add(upstream);
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Copies from one side to the other while not cut; drops what arrives while cut. */
  private void pump(Socket from, Socket to) {
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (!cut) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
      // A clean end on one side ends the other, unless the link is cut (then nothing passes).
      if (!cut) to.shutdownOutput();
    } catch (IOException e) {
      if (!cut) closeQuietly(to);
    }
  }

  private static void drain(Socket s) {
    try (InputStream in = s.getInputStream()) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // closed by heal()
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    heal();
  }
}
