package gantry.cli.command;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import gantry.cli.output.Json;
import gantry.security.InvalidRequestException;
import gantry.security.PemFile;
import gantry.security.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The flags both {@code tls ... create} verbs share (where the files go, overwrite or not, JSON or
 * not) and what they share in doing it: checking the directory, writing a certificate and its key
 * through {@link PemFiles}, and printing one line per file or the paths as JSON. Keys are never printed.
 */
public final class TlsFileOptions {
  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "The directory of the CA's and the certificates' files.")
  Path dir;

  @Option(names = "--force", description = "Overwrite files that exist (by default an existing file is an error).")
  boolean force;

  @Option(names = "--json", description = "Print the paths written as one JSON document: {\"certificate\": ..., \"key\": ...}.")
  boolean json;

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  /**
   * {@code --dir}, checked: a writable directory; with {@code create} a missing one is made (owner-only,
   * since the CA key goes there).
   *
   * @throws Failure (exit 2) naming {@code --dir}
   */
  Path directory(boolean create) {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) throw Failure.badInput("--dir: " + dir + " is not a directory");
    } else if (create) {
      try {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (IOException e) {
        throw Failure.badInput("--dir: cannot create " + dir + ": " + reason(e));
      }
    } else {
      throw Failure.badInput("--dir: " + dir + " does not exist (gantry tls ca create --dir " + dir + " makes it, with a CA)");
    }
    if (!Files.isWritable(dir)) throw Failure.badInput("--dir: " + dir + " is not writable");
    return dir;
  }

  /** An issuer's refusal as the flag of the same name: {@code --days: ...}. */
  static Failure badFlag(InvalidRequestException e) {
    return Failure.badInput("--" + e.field() + ": " + e.getMessage());
  }

  /**
   * Writes the certificate, then its key, and prints them.
   *
   * @param what what the certificate is, e.g. {@code CA} or {@code server}
   * @throws Failure exit 2 if a file exists (without {@code --force}) or the directory refuses, else 1
   */
  void write(PemFile certificate, PemFile key, String what) {
    try {
      PemFiles.write(List.of(certificate, key), force);
    } catch (FileAlreadyExistsException e) {
      throw Failure.badInput(e.getFile() + " already exists (--force overwrites it)");
    } catch (AccessDeniedException e) {
      throw Failure.badInput("--dir: cannot write in " + dir + ": permission denied");
    } catch (IOException e) {
      throw Failure.failed("cannot write the " + what + " files in " + dir + ": " + reason(e));
    }
    PrintWriter out = mixee.commandLine().getOut();
    if (json) {
      Json.print(out, Struct.newBuilder()
          .putFields("certificate", Value.newBuilder().setStringValue(certificate.path().toAbsolutePath().toString()).build())
          .putFields("key", Value.newBuilder().setStringValue(key.path().toAbsolutePath().toString()).build())
          .build());
    } else {
      out.println("Wrote " + certificate.path() + " (" + what + " certificate)");
      out.println("Wrote " + key.path() + " (" + what + " private key, mode 0600)");
      out.flush();
    }
  }

  static String reason(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }
}
