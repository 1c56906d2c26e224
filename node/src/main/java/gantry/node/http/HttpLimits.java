package gantry.node.http;

import gantry.node.guard.CallerKey;
import gantry.node.guard.RateLimiter;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;

/**
 * The request limits of the HTTP API, checked before any route: the rate limit per caller (the
 * same {@link RateLimiter} as the gRPC port, keyed on a hash of the {@code X-Gantry-Token} header
 * or the caller's IP) answers 429 with a {@code Retry-After}, and a body declared larger than
 * max_message_bytes answers 413 without being read. A body with no declared length is cut at the
 * same size by Javalin's own limit ({@code maxRequestSize}), whose 413 is named the same way
 * ({@link #named}).
 * Both failures have the JSON shape of every other error ({@link HttpErrors}).
 *
 * @param limiter shared with the gRPC port
 * @param maxBodyBytes max_message_bytes
 */
record HttpLimits(RateLimiter limiter, long maxBodyBytes) {
  void check(Context ctx) {
    String key = CallerKey.of(ctx.header(CallerKey.TOKEN_HEADER), ctx.req().getRemoteAddr());
    if (limiter.acquire(key) instanceof RateLimiter.Decision.Refused refused) {
      ctx.header("Retry-After", String.valueOf(Math.max(1, (refused.retryAfterMillis() + 999) / 1000)));
      throw new HttpResponseException(HttpStatus.TOO_MANY_REQUESTS.getCode(), limiter.refusal(key, refused));
    }
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw new HttpResponseException(HttpStatus.CONTENT_TOO_LARGE.getCode(),
          "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes (max_message_bytes)");
    }
  }

  /** Javalin's own 413 (a body with no declared length, cut while read) named as the setting, like the check above. */
  Exception named(Exception e) {
    if (e instanceof HttpResponseException x && x.getStatus() == HttpStatus.CONTENT_TOO_LARGE.getCode()
        && !x.getMessage().contains("max_message_bytes")) {
      return new HttpResponseException(x.getStatus(),
          "request body is over the limit of " + maxBodyBytes + " bytes (max_message_bytes)");
    }
    return e;
  }
}
