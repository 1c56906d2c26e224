package gantry.spec;

/**
 * Every bound a job spec must stay within, in one place so the READMEs, the error messages and
 * the tests quote the same numbers. Each bound keeps one request from costing the leader far more
 * than a page of YAML should: memory while parsing, Raft entry size, placements per evaluation,
 * time spent matching node attributes.
 */
public final class Limits {
  /** A spec file or text larger than this is refused before parsing: a job spec is a page, not a data set. */
  public static final int MAX_FILE_BYTES = 1 << 20;
  /** The YAML reader's ceiling in code points, so text handed to it directly is bounded too. */
  public static final int MAX_YAML_CODE_POINTS = MAX_FILE_BYTES;
  /**
   * Aliases to lists or mappings per document. A few are handy; thousands are how a
   * "billion laughs" document turns a kilobyte into gigabytes.
   */
  public static final int MAX_YAML_COLLECTION_ALIASES = 20;
  /** Nesting of lists and mappings; a spec is about six deep. */
  public static final int MAX_YAML_NESTING = 40;

  /** Largest accepted spec, serialized; larger ones would bloat every Raft entry carrying them. */
  public static final int MAX_SPEC_BYTES = 512 * 1024;
  public static final int MAX_GROUPS_PER_JOB = 100;
  /** Replicas of one group: its count, and its scaling.max. */
  public static final int MAX_COUNT_PER_GROUP = 10_000;
  /** Replicas of the whole job, the sum of its groups' counts (absent = 1): one evaluation places them all. */
  public static final int MAX_REPLICAS_PER_JOB = 10_000;

  /** A user's regular expression (the regexp operator), in characters. */
  public static final int MAX_REGEXP_LENGTH = 1_024;
  /**
   * A user's regular expression, compiled: about one instruction per character with counted
   * repetitions written out ({@code a{3}} is {@code aaa}). RE2/J's compile memory and its
   * matcher's stack depth grow with it; its matcher overflows a thread's stack near 20,000, and
   * (interpreted, before the JIT) a 512 KiB stack was seen overflowing near 5,000.
   */
  public static final int MAX_REGEXP_SIZE = 2_000;

  private Limits() {}
}
