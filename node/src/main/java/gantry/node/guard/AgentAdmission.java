package gantry.node.guard;

import java.util.Optional;
import java.util.function.Function;

/**
 * Who may register a node and hold its session. With mutual TLS, only a certificate of role agent
 * or server may, and only for the node its certificate names: an agent cannot pose as another
 * node, neither by registering under its name nor by opening a session for its node id. Without
 * TLS there are no certificates and everyone may (the cluster trusts its network).
 */
public final class AgentAdmission {
  private final boolean certified;
  private final Function<String, Optional<String>> nodeName;

  private AgentAdmission(boolean certified, Function<String, Optional<String>> nodeName) {
    this.certified = certified;
    this.nodeName = nodeName;
  }

  /** Plaintext: no certificate to check. */
  public static AgentAdmission open() {
    return new AgentAdmission(false, id -> Optional.empty());
  }

  /** Mutual TLS: {@code nodeName} gives the registered name of a node id, empty if none is registered. */
  public static AgentAdmission certified(Function<String, Optional<String>> nodeName) {
    return new AgentAdmission(true, nodeName);
  }

  /** Why {@code caller} may not register node {@code id} named {@code name}, or empty if it may. */
  public Optional<String> refuseRegister(Identity caller, String id, String name) {
    if (!certified) return Optional.empty();
    Optional<String> role = refuseRole(caller);
    if (role.isPresent()) return role;
    if (!caller.certName().equals(name)) return Optional.of(namesAnother(caller, name));
    Optional<String> registered = nodeName.apply(id);
    if (registered.isPresent() && !registered.get().equals(name)) {
      return Optional.of("permission denied: node id " + id + " is registered as node \"" + registered.get()
          + "\", not \"" + name + "\"");
    }
    return Optional.empty();
  }

  /** Why {@code caller} may not open the session of node id {@code id}, or empty if it may. */
  public Optional<String> refuseSession(Identity caller, String id) {
    if (!certified) return Optional.empty();
    Optional<String> role = refuseRole(caller);
    if (role.isPresent()) return role;
    Optional<String> registered = nodeName.apply(id);
    if (registered.isEmpty()) return Optional.of("permission denied: node id " + id + " is not registered");
    if (!caller.certName().equals(registered.get())) return Optional.of(namesAnother(caller, registered.get()));
    return Optional.empty();
  }

  private static Optional<String> refuseRole(Identity caller) {
    if (caller.role().equals("agent") || caller.role().equals("server")) return Optional.empty();
    String what = caller.role().isEmpty() ? "a caller without a certificate role" : "a " + caller.role() + " certificate";
    return Optional.of("permission denied: " + what + " cannot open an agent session (role agent or server needed)");
  }

  private static String namesAnother(Identity caller, String node) {
    return "permission denied: the certificate names \"" + caller.certName() + "\", not node \"" + node + "\"";
  }
}
