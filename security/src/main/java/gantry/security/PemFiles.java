package gantry.security;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;

/**
 * PEM files on disk. Writing: every file is written to a temporary file beside it, flushed to disk
 * and renamed into place, so a reader never sees half a key; a private key's temporary file is
 * created with mode 0600, so there is no moment at which others may read it. Reading: the path is
 * in every message. Files are read as Latin-1 text, so a binary file is "no PEM block", not a decoding error.
 */
public final class PemFiles {
  /** Owner read and write only. */
  public static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
  /** Anyone may read a certificate (the process umask may still take bits away). */
  public static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private PemFiles() {}

  /**
   * Writes every file, or, unless {@code overwrite}, none if any of them exists already (a
   * dangling symbolic link counts as existing). With {@code overwrite} an existing file is replaced
   * by an atomic rename; a symbolic link is replaced, not followed.
   *
   * @throws FileAlreadyExistsException naming the first file that exists, before anything is written
   * @throws IOException if the directory cannot be written (e.g. {@link java.nio.file.AccessDeniedException})
   */
  public static void write(List<PemFile> files, boolean overwrite) throws IOException {
    if (!overwrite) {
      for (PemFile file : files) {
        if (Files.exists(file.path(), LinkOption.NOFOLLOW_LINKS)) {
          throw new FileAlreadyExistsException(file.path().toString());
        }
      }
    }
    for (PemFile file : files) writeOne(file, overwrite);
  }

  private static void writeOne(PemFile file, boolean overwrite) throws IOException {
    Path target = file.path().toAbsolutePath();
    Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp",
        PosixFilePermissions.asFileAttribute(file.secret() ? SECRET : PUBLIC));
    try {
      if (file.secret()) Files.setPosixFilePermissions(temp, SECRET); // exactly 0600, whatever the umask
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(file.text().getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) channel.write(bytes);
        channel.force(true);
      }
      if (overwrite) {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(temp, target); // refuses a file that appeared since the check in write()
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * @throws NoSuchFileException if there is no such file
   * @throws CertificateException naming the path if it holds no certificate
   */
  public static X509Certificate readCertificate(Path path) throws IOException, CertificateException {
    String text = Files.readString(path, StandardCharsets.ISO_8859_1);
    try {
      return Pem.readCertificate(text);
    } catch (CertificateException e) {
      throw new CertificateException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * @throws NoSuchFileException if there is no such file
   * @throws GeneralSecurityException naming the path if it holds no usable private key
   */
  public static PrivateKey readPrivateKey(Path path) throws IOException, GeneralSecurityException {
    String text = Files.readString(path, StandardCharsets.ISO_8859_1);
    try {
      return Pem.readPrivateKey(text);
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(path + ": " + e.getMessage(), e);
    }
  }

  /**
   * A certificate and its key from two files.
   *
   * @throws CertificateException naming the files if the key does not belong to the certificate
   */
  public static CertificateAndKey read(Path certificate, Path key) throws IOException, GeneralSecurityException {
    X509Certificate cert = readCertificate(certificate);
    PrivateKey privateKey = readPrivateKey(key);
    try {
      return CertificateAndKey.of(cert, privateKey);
    } catch (CertificateException e) {
      throw new CertificateException(key + ", " + certificate + ": " + e.getMessage(), e);
    }
  }
}
