package gantry.cli.output;

import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import gantry.v1.ServiceSummary;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Human views of services and their endpoints. */
public final class ServiceViews {
  private ServiceViews() {}

  /** {@code gantry service ls}. */
  public static void printList(PrintWriter out, List<ServiceSummary> services) {
    if (services.isEmpty()) {
      out.println("No services: no job's task declares one (service: {name, port})");
      out.flush();
      return;
    }
    var table = new Table("NAME", "ENDPOINTS", "JOBS", "TAGS");
    for (ServiceSummary s : services) {
      table.row(s.getName(), s.getEndpoints(), String.join(",", s.getJobsList()),
          s.getTagsCount() == 0 ? "-" : String.join(",", s.getTagsList()));
    }
    table.print(out);
  }

  /**
   * {@code gantry service endpoints NAME}. SHARE is what a {@code weighted} client sends each
   * endpoint: its weight over the sum of the weights.
   */
  public static void printEndpoints(PrintWriter out, ServiceEndpoints set) {
    if (set.getEndpointsCount() == 0) {
      out.println("Service " + set.getService() + " has no endpoint: none of its allocations runs and passes its check");
      out.flush();
      return;
    }
    long total = set.getEndpointsList().stream().mapToLong(ServiceEndpoint::getWeight).sum();
    var table = new Table("ALLOCATION", "NODE", "ADDRESS", "WEIGHT", "SHARE", "SOURCE", "JOB", "TASK", "TAGS");
    for (ServiceEndpoint e : set.getEndpointsList()) {
      table.row(AllocationViews.shortId(e.getAllocationId()), e.getNodeName(), e.getAddress() + ":" + e.getPort(),
          e.getWeight(), String.format(Locale.ROOT, "%.1f%%", total == 0 ? 0.0 : 100.0 * e.getWeight() / total),
          e.getWeightSource(), e.getJob(), e.getTask(), e.getTagsCount() == 0 ? "-" : String.join(",", e.getTagsList()));
    }
    table.print(out);
  }
}
