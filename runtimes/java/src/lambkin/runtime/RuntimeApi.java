// A small HTTP/1.1 client for the Runtime API on one kept-alive socket. The protocol is strictly
// sequential (next, then response or error), so blocking calls without a timeout suffice: GET /next
// may wait for many minutes. java.net.http would start threads and cost tens of ms of cold start.
// Given the host's unix socket (the namespace sandbox shows it inside), it talks to that directly,
// not through the TCP forwarder behind AWS_LAMBDA_RUNTIME_API: two process hops less per message.
package lambkin.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

final class RuntimeApi {
    static final class Reply {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        Reply(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }
    }

    private static final String PREFIX = "/2018-06-01/runtime/";
    private final String host;
    private final int port;
    private final String hostHeader;
    private final String unixSocket;
    private java.io.Closeable socket;
    private InputStream in;
    private OutputStream out;

    /** unixSocket: the Runtime API's unix socket, or null to use the TCP address. */
    RuntimeApi(String address, String unixSocket) {
        this.unixSocket = unixSocket;
        int colon = address.lastIndexOf(':');
        String h = colon > 0 ? address.substring(0, colon) : "127.0.0.1";
        if (h.startsWith("[")) h = h.substring(1, h.length() - 1);
        this.host = h;
        this.port = colon > 0 ? Integer.parseInt(address.substring(colon + 1)) : 9001;
        this.hostHeader = address;
    }

    Reply next() throws IOException {
        return request(("GET " + PREFIX + "invocation/next HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), null);
    }

    Reply post(String path, byte[] body, String errorType) throws IOException {
        StringBuilder head = new StringBuilder("POST ").append(PREFIX).append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
        if (errorType != null) head.append("Lambda-Runtime-Function-Error-Type: ").append(errorType.replaceAll("[\\r\\n]", " ")).append("\r\n");
        head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n\r\n");
        return request(head.toString().getBytes(StandardCharsets.UTF_8), body);
    }

    private Reply request(byte[] head, byte[] body) throws IOException {
        boolean retried = false;
        for (;;) {
            boolean reused = socket != null;
            if (socket == null) open();
            try {
                out.write(head);
                if (body != null) out.write(body);
                out.flush();
                return read();
            } catch (IOException ex) {
                close();
                // A kept-alive socket the server closed meanwhile: one fresh try.
                if (!reused || retried) throw ex;
                retried = true;
            }
        }
    }

    private void open() throws IOException {
        // Buffered: a message's head and body leave in one write (one segment, one wake-up).
        if (unixSocket != null) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(unixSocket));
            } catch (IOException ex) {
                ch.close();
                throw ex;
            }
            socket = ch;
            in = new BufferedInputStream(Channels.newInputStream(ch), 65536);
            out = new BufferedOutputStream(Channels.newOutputStream(ch), 65536);
            return;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port));
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 65536);
        out = new BufferedOutputStream(s.getOutputStream(), 65536);
    }

    private void close() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ex) {
            // gone anyway
        }
        socket = null;
    }

    private Reply read() throws IOException {
        String status = line();
        if (status == null) throw new IOException("the Runtime API closed the connection");
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new HashMap<>();
        for (String l = line(); l != null && !l.isEmpty(); l = line()) {
            int colon = l.indexOf(':');
            if (colon > 0) headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            for (;;) {
                String size = line();
                if (size == null) throw new IOException("truncated chunked body");
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while (true) {
                        String trailer = line();
                        if (trailer == null || trailer.isEmpty()) break;
                    }
                    break;
                }
                buf.write(in.readNBytes(n));
                line();
            }
            body = buf.toByteArray();
        } else {
            body = in.readAllBytes();
            close();
        }
        if ("close".equalsIgnoreCase(headers.get("connection"))) close();
        return new Reply(code, headers, body);
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c == -1 && b.size() == 0) return null;
        return b.toString(StandardCharsets.UTF_8);
    }
}
