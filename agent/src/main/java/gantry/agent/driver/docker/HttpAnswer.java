package gantry.agent.driver.docker;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An HTTP/1.1 answer read off a connection: the status, and the body as a stream that undoes the
 * framing ({@code Transfer-Encoding: chunked}, a {@code Content-Length}, or to the end of the
 * connection, which is how the engine sends a hijacked exec stream).
 */
record HttpAnswer(int status, InputStream body) {
  private static final int MAX_HEAD_LINE = 16 * 1024;

  static HttpAnswer read(InputStream in) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status: " + statusLine, e);
    }
    long length = -1;
    boolean chunked = false;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon < 0) continue;
      String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).strip();
      if (name.equals("content-length")) {
        try {
          length = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw new IOException("not an HTTP content length: " + header, e);
        }
      } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
        chunked = true;
      }
    }
    InputStream body;
    if (status == 204 || status == 304) {
      body = InputStream.nullInputStream();
    } else if (chunked) {
      body = new Chunked(in);
    } else if (length >= 0) {
      body = new Limited(in, length);
    } else {
      body = in;
    }
    return new HttpAnswer(status, body);
  }

  /** One CRLF-ended line of the head, without the CRLF. */
  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) throw new EOFException("the connection ended inside an HTTP head");
      if (b == '\n') break;
      if (b != '\r') line.write(b);
      if (line.size() > MAX_HEAD_LINE) throw new IOException("an HTTP head line over " + MAX_HEAD_LINE + " bytes");
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /** A body stream that reads single bytes through its bulk read. */
  private abstract static class Body extends InputStream {
    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }
  }

  /** A body of a known length. */
  private static final class Limited extends Body {
    private final InputStream in;
    private long left;

    Limited(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new EOFException("the connection ended " + left + " bytes before the body did");
      left -= n;
      return n;
    }
  }

  /** A chunked body: size line in hex, that many bytes, CRLF; a zero size ends it. */
  private static final class Chunked extends Body {
    private final InputStream in;
    private long left;
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) return -1;
      if (left == 0) {
        String size = line(in);
        int ext = size.indexOf(';');
        try {
          left = Long.parseLong((ext < 0 ? size : size.substring(0, ext)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("a bad chunk size: " + size, e);
        }
        if (left == 0) {
          for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
            // trailers carry nothing the engine API uses
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new EOFException("the connection ended inside a chunk");
      left -= n;
      if (left == 0) line(in);
      return n;
    }
  }
}
