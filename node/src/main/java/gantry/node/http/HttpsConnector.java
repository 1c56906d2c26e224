package gantry.node.http;

import gantry.security.tls.TlsMaterial;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The HTTPS connector of a manager with mutual TLS: TLS 1.3 only, and a client certificate of the
 * cluster CA required at the handshake (any role: an operator's browser or curl holds a client
 * one, Prometheus an agent or client one). The JDK context comes from the peer's
 * {@link TlsMaterial}, whose managers a reload swaps, so Jetty needs no restart.
 */
final class HttpsConnector {
  private HttpsConnector() {}

  static ServerConnector of(Server server, HttpConfiguration http, TlsMaterial material, String host, int port) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setSslContext(material.jdkContext());
    ssl.setNeedClientAuth(true);
    ssl.setIncludeProtocols("TLSv1.3");
    // The address a client dialled is checked by the client against the certificate's SANs;
    // Jetty's own SNI-to-Host check would refuse a client that dials an IP (no SNI).
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);
    ServerConnector connector = new ServerConnector(server, ssl, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }
}
