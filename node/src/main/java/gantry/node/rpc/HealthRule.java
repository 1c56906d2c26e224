package gantry.node.rpc;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.DispatcherServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What this peer tells {@code grpc.health.v1.Health} about itself, decided from three facts and
 * nothing else (no I/O, no clock): a load balancer or an orchestrator sends clients where the
 * answer is SERVING.
 *
 * <pre>
 * diverged?  leads?  leader known?   ""  and ControlService   DispatcherService
 * yes        any     any             NOT_SERVING              NOT_SERVING
 * no         yes     (itself)        SERVING                  SERVING
 * no         no      yes             SERVING                  NOT_SERVING
 * no         no      no              NOT_SERVING              NOT_SERVING
 * </pre>
 *
 * A diverged peer refuses every read and write, so it serves nothing. A peer that knows no leader
 * (an election, or cut off from the majority) can neither commit a write nor get a read index.
 * Agents' sessions are served by the leader only; a follower would only redirect them.
 */
public final class HealthRule {
  /** The overall health of the server, the empty service name of the health protocol. */
  public static final String OVERALL = "";
  public static final String CONTROL = ControlServiceGrpc.SERVICE_NAME;
  public static final String DISPATCHER = DispatcherServiceGrpc.SERVICE_NAME;

  /**
   * What the rule looks at.
   *
   * @param leads this peer leads and has opened its leader duties (it takes agents' sessions)
   * @param leaderKnown Raft names a leader of the group, this peer or another
   * @param diverged this peer's state differs from the cluster's ({@code RaftNode.divergedReason() != null})
   */
  public record Facts(boolean leads, boolean leaderKnown, boolean diverged) {}

  private HealthRule() {}

  /** The status of each service this peer reports, in a fixed order: overall, control, dispatcher. */
  public static Map<String, ServingStatus> statuses(Facts facts) {
    boolean readsAndWrites = !facts.diverged() && (facts.leads() || facts.leaderKnown());
    boolean sessions = !facts.diverged() && facts.leads();
    Map<String, ServingStatus> out = new LinkedHashMap<>();
    out.put(OVERALL, of(readsAndWrites));
    out.put(CONTROL, of(readsAndWrites));
    out.put(DISPATCHER, of(sessions));
    return Collections.unmodifiableMap(out);
  }

  private static ServingStatus of(boolean serving) {
    return serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }
}
