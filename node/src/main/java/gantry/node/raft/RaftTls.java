package gantry.node.raft;

import gantry.security.Role;
import gantry.security.tls.TlsMaterial;
import java.util.Optional;
import java.util.Set;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Mutual TLS on the Raft port. Ratis shades its own gRPC and Netty, so it cannot take Gantry's
 * Netty contexts; it takes the JDK key and trust managers instead ({@link GrpcTlsConfig}) and
 * builds its contexts from them. Only a server-role certificate of the cluster CA may join: the
 * trust manager refuses any other role at the handshake, on the server side (a peer dialling in)
 * and on the client side (this peer's appender, its proposer and admin client dialling out).
 * {@code GrpcConfigKeys.TLS} is the default for Ratis' server, admin and client channels alike.
 */
public final class RaftTls {
  private RaftTls() {}

  /** Ratis parameters with TLS for every channel, or none (plaintext) without material. */
  public static Parameters parameters(Optional<TlsMaterial> tls) {
    Parameters parameters = new Parameters();
    tls.ifPresent(material -> GrpcConfigKeys.TLS.setConf(parameters,
        new GrpcTlsConfig(material.keyManager(), material.trustManager(Set.of(Role.SERVER)), true)));
    return parameters;
  }
}
