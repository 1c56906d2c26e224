package gantry.chaos.history;

/**
 * What a job looked like to a client: its version, the value its spec carries (the
 * workload puts a unique value in every spec it writes) and whether it is stopped.
 * Version 0 means the job does not exist.
 */
public record JobState(long version, String value, boolean stopped) {
  public static final JobState ABSENT = new JobState(0, "", false);

  public boolean absent() {
    return version == 0;
  }

  @Override
  public String toString() {
    return absent() ? "absent" : "v" + version + ":" + value + (stopped ? ":stopped" : "");
  }
}
