package gantry.scheduler.feasible;

import gantry.v1.Node;

/** Resolves the attribute names constraints use: node.name, node.id, attr.KEY, label.KEY. */
public final class NodeAttributes {
  private NodeAttributes() {}

  /** A parsed attribute name, so a per-node lookup does not re-split the string. */
  public record Ref(String attribute, Kind kind, String key) {
    /** Where the value lives on a node. */
    public enum Kind { LABEL, ATTR, NAME, ID, UNKNOWN }

    public static Ref parse(String attribute) {
      if (attribute.startsWith("label.")) {
        return new Ref(attribute, Kind.LABEL, attribute.substring(6));
      }
      if (attribute.startsWith("attr.")) {
        return new Ref(attribute, Kind.ATTR, attribute.substring(5));
      }
      return switch (attribute) {
        case "node.name" -> new Ref(attribute, Kind.NAME, "");
        case "node.id" -> new Ref(attribute, Kind.ID, "");
        default -> new Ref(attribute, Kind.UNKNOWN, "");
      };
    }

    /** The value, or null when the node has no such attribute. */
    public String lookup(Node n) {
      return switch (kind) {
        case LABEL -> n.getLabelsMap().get(key);
        case ATTR -> n.getAttributesMap().get(key);
        case NAME -> n.getName();
        case ID -> n.getId();
        case UNKNOWN -> null;
      };
    }
  }

  /** The value, or null when the node has no such attribute. */
  public static String lookup(Node n, String attribute) {
    return Ref.parse(attribute).lookup(n);
  }
}
