package gantry.agent.session;

/** The peer asked is not the leader; {@link #leader()} is the leader's address, or empty when unknown. */
public final class NotLeaderException extends RuntimeException {
  private final String leader;

  public NotLeaderException(String leader) {
    super("not the leader" + (leader.isEmpty() ? " (leader unknown)" : "; leader=" + leader));
    this.leader = leader;
  }

  public String leader() {
    return leader;
  }

  /** The address in a {@code leader=host:port} description, "" when empty, null when not that form. */
  public static String parseHint(String description) {
    if (description == null) {
      return null;
    }
    String d = description.strip();
    return d.startsWith("leader=") ? d.substring("leader=".length()).strip() : null;
  }
}
