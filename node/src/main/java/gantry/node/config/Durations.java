package gantry.node.config;

import gantry.spec.SpecException;
import java.time.Duration;

/**
 * The configuration file's durations, read as job specs read them ({@link gantry.spec.Durations});
 * only the exception differs, so a configuration error stays a {@link ConfigException}.
 */
public final class Durations {
  private Durations() {}

  /**
   * @param field names the value in the error message
   * @throws ConfigException if the text is not a non-negative duration
   */
  public static Duration parse(String field, String text) {
    try {
      return gantry.spec.Durations.parse(field, text);
    } catch (SpecException e) {
      throw new ConfigException(field, e.reason());
    }
  }
}
