package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cache's training run makes its calls for real: each answered verb succeeds, the refused one fails. */
class ClientTrainingTest {
  @Test
  void everyAnsweredCallSucceeds() throws Exception {
    assertEquals(List.of(0, 0, 0, 0, 0, 1), ClientTraining.run());
  }
}
