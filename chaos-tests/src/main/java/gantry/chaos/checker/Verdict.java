package gantry.chaos.checker;

/**
 * What one checker concluded.
 *
 * @param checker the checker's name (linearizable, no-lost-writes, digests-equal)
 * @param valid true when the history satisfies the property
 * @param ops how many operations the checker looked at
 * @param detail why not (or a summary when valid)
 */
public record Verdict(String checker, boolean valid, int ops, String detail) {}
