package ecgdetector.view.web;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where and how the view serves its pages.
 *
 * @param host            the address to bind; 127.0.0.1 unless a ward network needs more
 * @param port            the port; 0 takes a free one
 * @param users           a file of {@code user:password} lines: every request must log in as one of them (HTTP
 *                        basic authentication); empty: no login
 * @param tlsKeystore     a PKCS#12 keystore with the server's key and certificate: HTTPS instead of HTTP
 * @param tlsPasswordFile the file holding the keystore's password
 * @param maxClients      browsers served at once; more are refused (503)
 * @param clientQueue     updates a browser may be behind before its updates are dropped (it then gets the state
 *                        whole)
 */
public record WebSettings(
        String host,
        int port,
        Optional<Path> users,
        Optional<Path> tlsKeystore,
        Optional<Path> tlsPasswordFile,
        int maxClients,
        int clientQueue) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    public static final int DEFAULT_MAX_CLIENTS = 32;
    public static final int DEFAULT_CLIENT_QUEUE = 64;

    public WebSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        if (maxClients < 1 || clientQueue < 1) {
            throw new IllegalArgumentException("max clients and client queue must be at least 1");
        }
        if (tlsKeystore.isPresent() != tlsPasswordFile.isPresent()) {
            throw new IllegalArgumentException("TLS needs both the keystore and the file of its password");
        }
    }

    /** Local, no login, no TLS. */
    public static WebSettings local(int port) {
        return new WebSettings(
                DEFAULT_HOST,
                port,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_MAX_CLIENTS,
                DEFAULT_CLIENT_QUEUE);
    }

    public WebSettings withClientQueue(int capacity) {
        return new WebSettings(host, port, users, tlsKeystore, tlsPasswordFile, maxClients, capacity);
    }

    public WebSettings withUsers(Path file) {
        return new WebSettings(host, port, Optional.of(file), tlsKeystore, tlsPasswordFile, maxClients, clientQueue);
    }

    public WebSettings withTls(Path keystore, Path passwordFile) {
        return new WebSettings(
                host, port, users, Optional.of(keystore), Optional.of(passwordFile), maxClients, clientQueue);
    }

    public boolean tls() {
        return tlsKeystore.isPresent();
    }

    /** Whether the address is this machine only. */
    public boolean loopbackOnly() {
        return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    }
}
