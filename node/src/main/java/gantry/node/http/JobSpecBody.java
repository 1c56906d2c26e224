package gantry.node.http;

import gantry.spec.JobSpecParser;
import gantry.v1.JobSpec;
import io.javalin.http.HttpStatus;
import io.javalin.http.HttpResponseException;
import java.util.Locale;
import java.util.Set;

/**
 * The body of {@code POST /v1/jobs}, by its Content-Type: a {@link JobSpec} in protobuf JSON (the
 * message gRPC's RegisterJob carries; also when no type is given), or the job file users write
 * in YAML, read by the same {@link JobSpecParser} as {@code gantry job run}. Either way only the
 * shape is checked here; the rules (names, counts, drivers) are the control layer's, so HTTP,
 * gRPC and the CLI give the same answers.
 */
final class JobSpecBody {
  private static final Set<String> YAML = Set.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");
  private static final String JSON = "application/json";

  private JobSpecBody() {}

  /**
   * @param contentType the request's Content-Type header, possibly with parameters, or null
   * @throws gantry.spec.SpecException naming the field when the text is malformed
   * @throws HttpResponseException 415 for a type that is neither JSON nor YAML
   */
  static JobSpec parse(String contentType, String body) {
    String type = mediaType(contentType);
    if (YAML.contains(type)) return JobSpecParser.parse(body);
    if (type.isEmpty() || type.equals(JSON)) return ProtoJson.parse(body, JobSpec.newBuilder(), "spec").build();
    throw new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getCode(),
        "Content-Type " + type + " is not taken here: send " + JSON + " (a JobSpec in protobuf JSON) or application/yaml (a job file)");
  }

  /** {@code "Application/YAML; charset=utf-8"} -> {@code "application/yaml"}; null -> "". */
  static String mediaType(String contentType) {
    if (contentType == null) return "";
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }
}
