package gantry.spec;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * YAML that a user sends: SnakeYAML's SafeConstructor (maps, lists and scalars only) under the
 * limits of {@link Limits}, and every way the parser can refuse a document turned into one
 * {@link Invalid} with a one-line reason. Job specs and ACL policies both read through here, so a
 * parser escape found by fuzzing one of them is closed for both.
 */
public final class SafeYaml {
  private SafeYaml() {}

  /** A document refused; the message starts "invalid YAML" and is one line. */
  public static final class Invalid extends RuntimeException {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The document as maps, lists and scalars (null for an empty one).
   *
   * @throws Invalid saying where and why, or which limit it crossed
   */
  public static Object load(String text) {
    try {
      return yaml().load(text);
    } catch (MarkedYAMLException e) {
      var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new Invalid("invalid YAML" + where + ": " + problem);
    } catch (YAMLException e) {
      throw new Invalid("invalid YAML: " + limitReason(e.getMessage()));
    } catch (NumberFormatException e) {
      // SnakeYAML reads a YAML 1.1 base-60 number (`90:00:00`) with Long.parseLong, part by
      // part, and lets a part too long for a long escape as this (found by ParserFuzzTest).
      throw new Invalid("invalid YAML: a number is out of range (" + shortened(e.getMessage()) + ")");
    } catch (IllegalArgumentException e) {
      // SnakeYAML checks some tokens outside its YAMLException path: a tag such as `!F%0` whose
      // escapes decode to a space throws this (found by ParserFuzzTest).
      throw new Invalid("invalid YAML: " + shortened(e.getMessage()));
    }
  }

  private static Yaml yaml() {
    var options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    // Aliases are what let a kilobyte of YAML ("billion laughs") expand into gigabytes of
    // objects; recursive keys would make a key's hash code loop forever.
    options.setMaxAliasesForCollections(Limits.MAX_YAML_COLLECTION_ALIASES);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(Limits.MAX_YAML_NESTING);
    options.setCodePointLimit(Limits.MAX_YAML_CODE_POINTS);
    return new Yaml(new SafeConstructor(options));
  }

  /** At most 60 characters of {@code text}: a refused number can be a megabyte long. */
  private static String shortened(String text) {
    String t = String.valueOf(text);
    return t.length() <= 60 ? t : t.substring(0, 57) + "...";
  }

  /** SnakeYAML words its limits for its own developers; say what the user's document did. */
  private static String limitReason(String message) {
    String first = message == null ? "" : message.lines().findFirst().orElse("");
    if (first.startsWith("Number of aliases for non-scalar nodes exceeds")) {
      return "more than " + Limits.MAX_YAML_COLLECTION_ALIASES + " aliases (*name) to lists or mappings;"
          + " the limit stops alias bombs (\"billion laughs\") that expand a small file into gigabytes";
    }
    if (first.startsWith("Nesting Depth exceeded")) {
      return "lists and mappings nest more than " + Limits.MAX_YAML_NESTING + " deep";
    }
    if (first.startsWith("Recursive key for mapping")) return "a mapping key refers to itself through an alias";
    if (first.startsWith("The incoming YAML document exceeds the limit")) return "the text is over the limit of 1 MiB";
    return first;
  }
}
