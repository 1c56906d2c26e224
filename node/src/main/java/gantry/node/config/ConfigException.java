package gantry.node.config;

/** A configuration value is wrong; the message names the field and the reason. */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String field, String reason) {
    super(field + ": " + reason);
  }
}
