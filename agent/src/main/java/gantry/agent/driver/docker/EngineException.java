package gantry.agent.driver.docker;

/** The engine answered a call with 304 or a status of 400 and up; the message is the engine's own. */
final class EngineException extends RuntimeException {
  private final int status;
  private final String engineMessage;

  EngineException(int status, String call, String engineMessage) {
    super(call + ": " + status + " " + engineMessage);
    this.status = status;
    this.engineMessage = engineMessage;
  }

  int status() {
    return status;
  }

  /** The engine's sentence, e.g. "No such image: local/busybox:9". */
  String engineMessage() {
    return engineMessage;
  }

  boolean notFound() {
    return status == 404;
  }

  boolean conflict() {
    return status == 409;
  }

  boolean notModified() {
    return status == 304;
  }
}
