package gantry.client;

import gantry.client.test.BackendGrpc;
import gantry.client.test.WhoReply;
import gantry.client.test.WhoRequest;
import gantry.v1.ServiceEndpoint;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Real Backend servers on loopback, each answering with its name and counting the calls it took. */
public final class TestBackends implements AutoCloseable {
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final Map<String, AtomicLong> calls = new LinkedHashMap<>();

  public TestBackends(String... names) {
    for (String name : names) add(name);
  }

  public synchronized void add(String name) {
    AtomicLong count = new AtomicLong();
    var service = new BackendGrpc.BackendImplBase() {
      @Override
      public void who(WhoRequest request, StreamObserver<WhoReply> out) {
        count.incrementAndGet();
        out.onNext(WhoReply.newBuilder().setName(name).build());
        out.onCompleted();
      }
    };
    try {
      servers.put(name, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    calls.put(name, count);
  }

  public synchronized int port(String name) {
    return servers.get(name).getPort();
  }

  /** Calls the server took so far. */
  public long calls(String name) {
    AtomicLong count;
    synchronized (this) {
      count = calls.get(name);
    }
    return count.get();
  }

  /** The endpoint of {@code name} as the leader would push it. */
  public ServiceEndpoint endpoint(String name, long weight) {
    return ServiceEndpoint.newBuilder().setService("svc").setAllocationId("alloc-" + name).setNodeName("node-" + name)
        .setAddress("127.0.0.1").setPort(port(name)).setWeight(weight).setWeightSource("fixed").build();
  }

  /** As a crash would: connections closed, nothing drained. */
  public void kill(String name) throws InterruptedException {
    Server server;
    synchronized (this) {
      server = servers.get(name);
    }
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void close() {
    try {
      closeNow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeNow() throws InterruptedException {
    for (Server server : servers.values()) server.shutdownNow();
    for (Server server : servers.values()) server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
