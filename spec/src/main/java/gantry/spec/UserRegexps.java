package gantry.spec;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * The regular expressions users write (the {@code regexp} operator of constraints and
 * affinities). The scheduler runs them with RE2/J, whose matching is linear in the input, so a
 * pattern such as {@code (a+)+$} cannot stall the leader the way a backtracking matcher would. RE2
 * syntax has no backreferences or lookaround; such a pattern is refused here with RE2/J's reason.
 */
public final class UserRegexps {
  private UserRegexps() {}

  /** Why the pattern is refused, or empty when the scheduler may compile and run it. */
  public static Optional<String> problem(String pattern) {
    if (pattern.length() > Limits.MAX_REGEXP_LENGTH) {
      return Optional.of("is " + pattern.length() + " characters long; a regular expression may have at most "
          + Limits.MAX_REGEXP_LENGTH);
    }
    // Before compiling: compiling is what a pattern of nested counts makes expensive.
    long size = RegexpSize.of(pattern);
    if (size > Limits.MAX_REGEXP_SIZE) {
      return Optional.of("is too large once its counted repetitions are written out (size about " + size
          + "; the limit is " + Limits.MAX_REGEXP_SIZE + ")");
    }
    try {
      Pattern.compile(pattern);
      return Optional.empty();
    } catch (PatternSyntaxException e) {
      String where = e.getPattern() == null || e.getPattern().isEmpty() ? "" : " in `" + e.getPattern() + "`";
      return Optional.of("is not a valid regular expression: " + e.getDescription() + where + " (RE2 syntax)");
    }
  }
}
