package gantry.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the agent detects about its machine, for {@code Node.attributes}: {@code os}, {@code arch},
 * {@code hostname}, {@code cpu.millicores}, {@code memory.mb}.
 */
public record NodeFacts(String os, String arch, String hostname, int cpuMillicores, int memoryMiB) {

  /** Detects the facts; {@code cpu}/{@code memory} above zero override detection. */
  public static NodeFacts detect(int cpu, int memory) {
    String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
    String arch = switch (System.getProperty("os.arch", "unknown")) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> System.getProperty("os.arch", "unknown");
    };
    int detectedCpu = Runtime.getRuntime().availableProcessors() * 1000;
    int detectedMem = 0;
    try {
      detectedMem = memTotalMiB(Files.readAllLines(Path.of("/proc/meminfo")));
    } catch (IOException | RuntimeException e) {
      detectedMem = (int) (Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
    return new NodeFacts(os, arch, detectHostname(), cpu > 0 ? cpu : detectedCpu, memory > 0 ? memory : detectedMem);
  }

  /** MemTotal from the lines of /proc/meminfo, in MiB; 0 when absent. */
  static int memTotalMiB(List<String> meminfo) {
    for (String line : meminfo) {
      if (line.startsWith("MemTotal:")) {
        String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
        long kb = Long.parseLong(parts[0]);
        return (int) (kb / 1024);
      }
    }
    return 0;
  }

  private static String detectHostname() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }

  public Map<String, String> attributes() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("os", os);
    m.put("arch", arch);
    m.put("hostname", hostname);
    m.put("cpu.millicores", Integer.toString(cpuMillicores));
    m.put("memory.mb", Integer.toString(memoryMiB));
    return m;
  }
}
