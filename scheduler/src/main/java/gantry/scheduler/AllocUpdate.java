package gantry.scheduler;

import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import java.util.Objects;

/**
 * A change the plan makes to an existing allocation: today always a stop.
 *
 * @param allocId the allocation changed
 * @param nodeId the node it runs on (the checker drops a stop whose replacement it rejects)
 * @param desiredStatus the new desired status
 * @param clientStatus set to LOST when the node is down, else UNSPECIFIED (unchanged)
 * @param description why, shown to users ("scaled down", "node drained", ...)
 * @param replacedBy the id of the placement in the same plan that replaces it, or "" if none
 */
public record AllocUpdate(String allocId, String nodeId, DesiredStatus desiredStatus,
    ClientStatus clientStatus, String description, String replacedBy) {
  public AllocUpdate {
    Objects.requireNonNull(allocId);
    Objects.requireNonNull(nodeId);
    Objects.requireNonNull(desiredStatus);
    Objects.requireNonNull(clientStatus);
    Objects.requireNonNull(description);
    Objects.requireNonNull(replacedBy);
  }

  public static AllocUpdate stop(String allocId, String nodeId, String description, String replacedBy) {
    return new AllocUpdate(allocId, nodeId, DesiredStatus.DESIRED_STATUS_STOP,
        ClientStatus.CLIENT_STATUS_UNSPECIFIED, description, replacedBy);
  }

  public static AllocUpdate lost(String allocId, String nodeId, String description) {
    return new AllocUpdate(allocId, nodeId, DesiredStatus.DESIRED_STATUS_STOP,
        ClientStatus.CLIENT_STATUS_LOST, description, "");
  }
}
