package gantry.node.http;

import gantry.node.control.ControlException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The web UI: static files from the jar ({@code gantry/ui/} on the class path), no build step.
 * {@code /} and {@code /ui/jobs/{name}} answer the same page (its script reads the job from the
 * path); {@code /ui/assets/{file}} the script and the style sheet. The data comes from the
 * {@code /v1} API, called by the page with the user's token, so the guard checks it there: these
 * files carry none and are open ({@link gantry.node.guard.AccessTable#page}).
 *
 * <p>Every file is read once, at start, with a strong ETag; answers say {@code no-cache} so a
 * browser revalidates (a 304 when unchanged) and never runs the script of an older jar after an
 * upgrade. The Content-Security-Policy allows only this origin's script, style and fetches: the
 * page builds its DOM from text, never from HTML, so a job name cannot inject anything. An
 * unknown asset or {@code /ui/} path is a 404 in the API's JSON error, like any other.
 */
final class WebUi {
  static final String ROOT = "gantry/ui/";
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
      + "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  /** One served file: its bytes, content type and ETag. */
  record Asset(byte[] body, String contentType, String etag) {}

  private final Asset page;
  private final Map<String, Asset> assets;

  private WebUi(Asset page, Map<String, Asset> assets) {
    this.page = page;
    this.assets = assets;
  }

  /** Loads the files from the class path; fails at start when the jar lacks one. */
  static WebUi load() {
    return new WebUi(asset("index.html", "text/html; charset=utf-8"), Map.of(
        "app.js", asset("assets/app.js", "text/javascript; charset=utf-8"),
        "app.css", asset("assets/app.css", "text/css; charset=utf-8")));
  }

  void register(RoutesConfig routes) {
    routes.get("/", ctx -> send(ctx, page));
    routes.get("/ui/jobs/{name}", ctx -> send(ctx, page));
    routes.get("/ui/assets/{file}", ctx -> {
      Asset a = assets.get(ctx.pathParam("file"));
      if (a == null) throw new ControlException(ControlException.Code.NOT_FOUND, "no such web UI file: " + ctx.pathParam("file"));
      send(ctx, a);
    });
  }

  private static void send(Context ctx, Asset a) {
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", a.etag());
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("Referrer-Policy", "no-referrer");
    if (a.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(a.contentType()).result(a.body());
  }

  private static Asset asset(String name, String contentType) {
    try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) throw new IllegalStateException("the jar has no " + ROOT + name + " (web UI)");
      byte[] body = in.readAllBytes();
      String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 16);
      return new Asset(body, contentType, "\"" + hash + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + ROOT + name, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
