package gantry.node.backup;

/** A snapshot file that cannot be restored; the message names what is wrong with it. */
public final class SnapshotFileException extends Exception {
  private static final long serialVersionUID = 1L;

  public SnapshotFileException(String message) {
    super(message);
  }
}
