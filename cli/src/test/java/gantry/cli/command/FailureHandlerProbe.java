package gantry.cli.command;

/** What {@link FailureHandler} tells the user of an exception, for tests outside its package. */
public final class FailureHandlerProbe {
  private FailureHandlerProbe() {}

  public static String message(Exception e) {
    return FailureHandler.classify(e).message();
  }
}
