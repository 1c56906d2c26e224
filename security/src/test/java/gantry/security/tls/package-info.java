/** Tests of the reloadable TLS material over plain JDK sockets. */
package gantry.security.tls;
