package gantry.security.tls;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the TLS files of every {@link TlsMaterial} registered in this process (a manager,
 * an agent, or both in {@code gantry dev}). The JVM has one handler per signal, so this is the
 * one place that installs it.
 */
public final class HangupReload {
  private static final Logger LOG = LoggerFactory.getLogger(HangupReload.class);
  private static final Set<TlsMaterial> REGISTERED = ConcurrentHashMap.newKeySet();
  private static boolean installed;

  private HangupReload() {}

  /** Reloads {@code material} on every SIGHUP until the returned handle is closed. */
  public static synchronized AutoCloseable register(TlsMaterial material) {
    if (!installed) {
      installed = true;
      try {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloadAll());
      } catch (IllegalArgumentException e) {
        // e.g. the JVM runs with -Xrs, or the platform has no SIGHUP
        LOG.warn("SIGHUP cannot be handled here, certificates reload only on restart: {}", e.getMessage());
      }
    }
    REGISTERED.add(material);
    return () -> REGISTERED.remove(material);
  }

  /** What SIGHUP does: reloads every registered material, each logging its own outcome. */
  public static void reloadAll() {
    for (TlsMaterial material : REGISTERED) material.reload();
  }
}
