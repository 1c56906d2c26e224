package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.DiscardMutations;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobVersionsResponse;
import gantry.v1.Record;
import gantry.v1.StateQuery;
import gantry.v1.TaskSpec;
import gantry.v1.UpdatePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read queries of deployments and job versions, answered from a replayed state. */
class StateQueriesTest {
  final ClusterState state = new ClusterState();
  final StateQueries queries = new StateQueries(() -> state, () -> {
    throw new AssertionError("only the digest reads the store");
  });
  long index;

  static JobSpec spec(String name, String image, boolean rolling) {
    GroupSpec.Builder g = GroupSpec.newBuilder().setName("g").setCount(2)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("docker").setImage(image));
    if (rolling) g.setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1));
    return JobSpec.newBuilder().setName(name).addGroups(g).build();
  }

  void register(JobSpec spec) {
    index++;
    state.replay(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(index * 1000)).build(),
        index, new DiscardMutations(), new Changes());
  }

  List<Deployment> deployments(String job) {
    return ((ListDeploymentsResponse) queries.answer(StateQuery.newBuilder()
        .setListDeployments(ListDeploymentsRequest.newBuilder().setJob(job)).build())).getDeploymentsList();
  }

  List<Deployment> byPrefix(String id) {
    return ((ListDeploymentsResponse) queries.answer(StateQuery.newBuilder()
        .setGetDeployment(GetDeploymentRequest.newBuilder().setId(id)).build())).getDeploymentsList();
  }

  @Test
  void deploymentsNewestFirstAndTheLatestInGetJob() {
    register(spec("web", "local/busybox:1", true));
    register(spec("web", "local/nope:1", true));
    register(spec("api", "local/busybox:1", false));

    List<Deployment> web = deployments("web");
    assertEquals(List.of(2L, 1L), web.stream().map(Deployment::getJobVersion).toList());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, web.get(0).getStatus());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED, web.get(1).getStatus(), "superseded by version 2");
    assertEquals(web, deployments(""), "api has no update policy, so no deployment");

    var job = (GetJobResponse) queries.answer(StateQuery.newBuilder().setGetJob(GetJobRequest.newBuilder().setName("web")).build());
    assertEquals(web.get(0), job.getLatestDeployment());
    var api = (GetJobResponse) queries.answer(StateQuery.newBuilder().setGetJob(GetJobRequest.newBuilder().setName("api")).build());
    assertFalse(api.hasLatestDeployment());
  }

  @Test
  void getDeploymentAnswersTheMatchesOfAnIdOrPrefix() {
    register(spec("web", "local/busybox:1", true));
    register(spec("web", "local/nope:1", true));
    Deployment newest = deployments("web").getFirst();

    assertEquals(List.of(newest), byPrefix(newest.getId()));
    assertEquals(List.of(newest), byPrefix(newest.getId().substring(0, 8)));
    assertEquals(List.of(), byPrefix("zzzz"));
    assertEquals(List.of(), byPrefix(""), "an empty id matches nothing, not everything");
    // Every one-character prefix answers exactly the deployments starting with it, newest first:
    // the control layer calls two or more ambiguous.
    List<Deployment> all = deployments("");
    for (char c : "0123456789abcdef".toCharArray()) {
      String prefix = String.valueOf(c);
      assertEquals(all.stream().filter(d -> d.getId().startsWith(prefix)).toList(), byPrefix(prefix), prefix);
    }
  }

  @Test
  void jobVersionsOldestFirstWithTheStableFlag() {
    register(spec("web", "local/busybox:1", false));
    register(spec("web", "local/nope:1", true));

    var versions = (ListJobVersionsResponse) queries.answer(StateQuery.newBuilder()
        .setListJobVersions(ListJobVersionsRequest.newBuilder().setJob("web")).build());
    assertEquals(List.of(1L, 2L), versions.getVersionsList().stream().map(Job::getVersion).toList());
    assertTrue(versions.getVersions(0).getStable(), "no update policy: stable at once");
    assertFalse(versions.getVersions(1).getStable(), "its deployment is still running");
    assertEquals("local/busybox:1", versions.getVersions(0).getSpec().getGroups(0).getTasks(0).getImage());

    var none = (ListJobVersionsResponse) queries.answer(StateQuery.newBuilder()
        .setListJobVersions(ListJobVersionsRequest.newBuilder().setJob("nope")).build());
    assertEquals(0, none.getVersionsCount());
  }
}
