package gantry.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegexpSizeTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      abc                          | 3
      a{3}                         | 3
      a{2,5}                       | 8
      a{2,}                        | 4
      a{3}?                        | 3
      (ab){2}                      | 8
      "(a|b){2}"                   | 10
      (a{10}){10}                  | 120
      ((a{1000}){1000}){1000}      | 1002002000
      ((x*){100}){50}              | 20100
      (a?){1000}                   | 4000
      ab{3}                        | 4
      x*                           | 2
      x+?                          | 2
      [a-z]{4}                     | 4
      []a]{2}                      | 2
      [^]a]{2}                     | 2
      [[:alpha:]]{5}               | 5
      \\d{3}                       | 3
      \\p{Greek}{3}                | 3
      \\pL{3}                      | 3
      \\x{263a}{3}                 | 3
      \\x41{3}                     | 3
      \\Qa{9}\\E                   | 4
      \\Qab\\E{3}                  | 4
      (?:ab){3}                    | 6
      (?P<name>ab){3}              | 12
      (?<name>ab){3}               | 12
      (?i)abc                      | 3
      (?i:ab){2}                   | 4
      a{,5}                        | 5
      a{x}                         | 4
      ""                           | 0
      (                            | 2
      a)b                          | 2
      """)
  void estimate(String pattern, long expected) {
    assertEquals(expected, RegexpSize.of(pattern));
  }
}
