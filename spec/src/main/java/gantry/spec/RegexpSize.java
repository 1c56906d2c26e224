package gantry.spec;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Estimates, without compiling it, how many instructions RE2/J will compile a regular expression
 * into: one per character or class, counted repetitions written out ({@code a{3}} is {@code aaa}),
 * plus the splits of {@code * + ? |} and the two marks of each capturing group.
 *
 * <p>Why: RE2/J matches in time linear in the input, but two costs grow with the program instead.
 * Its compiler copies a repeated part once per count, so the 24 characters
 * {@code ((a{1000}){1000}){1000}} ask for a billion instructions and exhaust the heap of whoever
 * compiles them (the validator, then the leader's scheduler); and its matcher follows empty-width
 * paths recursively, so {@code ((x*){100}){50}} (20,000 instructions) overflows a thread's stack.
 * Bounding this estimate bounds both.
 *
 * <p>The scan knows RE2 syntax only as far as sizes need: escapes, {@code \Q...\E}, character
 * classes, group headers such as {@code (?:} or {@code (?P<name>}, and the repetition operators.
 * It errs on the large side; a malformed pattern gets some estimate and is then refused by RE2/J's
 * parser with its own reason.
 */
final class RegexpSize {
  /** Sums saturate here instead of overflowing; anything this large is refused anyway. */
  private static final long CAP = 1L << 50;

  /** One group being read: its size so far, and the size of its last item (what a repetition repeats). */
  private static final class Frame {
    final boolean capturing;
    long total;
    long last = -1;

    Frame(boolean capturing) {
      this.capturing = capturing;
    }

    void item(long size) {
      total = add(total, size);
      last = size;
    }

    /** {@code copies} of the last item, and {@code splits} choices between them. */
    void repeat(long copies, long splits) {
      if (last < 0) return; // nothing to repeat: RE2/J reports "missing argument to repetition operator"
      long grown = add(multiply(last, copies), splits);
      total = add(total - last, grown);
      last = grown;
    }

    /** The group as an item of its parent. */
    long size() {
      return capturing ? add(total, 2) : total;
    }
  }

  private RegexpSize() {}

  static long of(String p) {
    Deque<Frame> open = new ArrayDeque<>();
    Frame f = new Frame(false);
    int n = p.length();
    int i = 0;
    while (i < n) {
      char c = p.charAt(i);
      int[] count = c == '{' ? counted(p, i) : null;
      if (c == '\\' && i + 1 < n && p.charAt(i + 1) == 'Q') {
        int end = p.indexOf("\\E", i + 2);
        int stop = end < 0 ? n : end;
        for (int k = i + 2; k < stop; k++) f.item(1); // a repetition after \Q..\E repeats its last character
        i = end < 0 ? n : end + 2;
      } else if (c == '\\') {
        i = afterEscape(p, i);
        f.item(1);
      } else if (c == '[') {
        i = afterClass(p, i);
        f.item(1);
      } else if (c == '(') {
        int body = afterGroupHeader(p, i);
        if (body < 0) {
          i = -body; // (?i) and the like set flags; they are not a group and compile to nothing
        } else {
          open.push(f);
          f = new Frame(capturing(p, i));
          i = body;
        }
      } else if (c == ')') {
        i++;
        if (open.isEmpty()) continue; // unbalanced: RE2/J's parser says so
        long group = f.size();
        f = open.pop();
        f.item(group);
      } else if (c == '|') {
        i++;
        f.total = add(f.total, 1);
        f.last = -1;
      } else if (c == '*' || c == '+' || c == '?') {
        i = lazy(p, i + 1);
        f.repeat(1, 1);
      } else if (count != null) {
        f.repeat(count[0], count[1]);
        i = lazy(p, count[2]);
      } else {
        i++;
        f.item(1); // a literal, '.', '^', '$', or a '{' that does not start a count
      }
    }
    while (!open.isEmpty()) {
      long group = f.size();
      f = open.pop();
      f.item(group);
    }
    return f.total;
  }

  private static int lazy(String p, int i) {
    return i < p.length() && p.charAt(i) == '?' ? i + 1 : i;
  }

  /** The index after the escape at {@code i}: {@code \d}, {@code \pL}, {@code \p{Greek}}, {@code \x41}, {@code \x{263a}}. */
  private static int afterEscape(String p, int i) {
    int n = p.length();
    if (i + 1 >= n) return n;
    char e = p.charAt(i + 1);
    if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < n && p.charAt(i + 2) == '{') {
      int close = p.indexOf('}', i + 3);
      return close < 0 ? n : close + 1;
    }
    if (e == 'p' || e == 'P') return Math.min(n, i + 3);
    if (e == 'x') return Math.min(n, i + 4);
    return i + 2;
  }

  /** The index after the character class at {@code i}; a class is one instruction, however long. */
  private static int afterClass(String p, int i) {
    int n = p.length();
    int j = i + 1;
    if (j < n && p.charAt(j) == '^') j++;
    if (j < n && p.charAt(j) == ']') j++; // a ']' first is a literal
    while (j < n) {
      char c = p.charAt(j);
      if (c == '\\') {
        j += 2;
      } else if (c == '[' && j + 1 < n && p.charAt(j + 1) == ':') {
        int close = p.indexOf(":]", j + 2);
        j = close < 0 ? j + 1 : close + 2;
      } else if (c == ']') {
        return j + 1;
      } else {
        j++;
      }
    }
    return n;
  }

  /** {@code (}, {@code (?P<name>} and {@code (?<name>} capture; {@code (?:} and {@code (?i:} do not. */
  private static boolean capturing(String p, int i) {
    if (i + 1 >= p.length() || p.charAt(i + 1) != '?') return true;
    return i + 2 < p.length() && (p.charAt(i + 2) == 'P' || p.charAt(i + 2) == '<');
  }

  /**
   * The index where the body of the group at {@code i} starts, past {@code (}, {@code (?:},
   * {@code (?i:}, {@code (?P<name>} or {@code (?<name>}; for a flags-only {@code (?i)}, minus the
   * index after it.
   */
  private static int afterGroupHeader(String p, int i) {
    int n = p.length();
    if (i + 1 >= n || p.charAt(i + 1) != '?') return i + 1;
    int j = i + 2;
    if (j < n && (p.charAt(j) == 'P' || p.charAt(j) == '<')) {
      int close = p.indexOf('>', j);
      return close < 0 ? n : close + 1;
    }
    while (j < n && (Character.isLetter(p.charAt(j)) || p.charAt(j) == '-')) j++;
    if (j < n && p.charAt(j) == ')') return -(j + 1);
    return j < n && p.charAt(j) == ':' ? j + 1 : j;
  }

  /**
   * A counted repetition at {@code i}, {@code {n}}, {@code {n,}} or {@code {n,m}}, as {copies,
   * splits, index after it}; null when the brace is a literal (RE2 reads {@code {x} } literally).
   * {@code x{n,m}} is m copies, the last m-n of them optional; {@code x{n,}} is n copies and a star.
   */
  private static int[] counted(String p, int i) {
    int n = p.length();
    int j = i + 1;
    int lowStart = j;
    while (j < n && Character.isDigit(p.charAt(j))) j++;
    if (j == lowStart || j >= n) return null;
    int low = number(p, lowStart, j);
    if (p.charAt(j) == '}') return new int[] {low, 0, j + 1};
    if (p.charAt(j) != ',') return null;
    int highStart = ++j;
    while (j < n && Character.isDigit(p.charAt(j))) j++;
    if (j >= n || p.charAt(j) != '}') return null;
    if (j == highStart) return new int[] {low + 1, 1, j + 1};
    int high = Math.max(low, number(p, highStart, j));
    return new int[] {high, high - low, j + 1};
  }

  /** Digits as a number, saturating: RE2/J refuses counts over 1000 anyway. */
  private static int number(String p, int from, int to) {
    return to - from > 7 ? 10_000_000 : Integer.parseInt(p.substring(from, to));
  }

  private static long add(long a, long b) {
    return Math.min(CAP, a + b);
  }

  private static long multiply(long a, long b) {
    if (a == 0 || b == 0) return 0;
    return a > CAP / b ? CAP : Math.min(CAP, a * b);
  }
}
