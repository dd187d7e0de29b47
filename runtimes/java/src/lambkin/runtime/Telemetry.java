// Logging inside the environment: each record is one frame on the telemetry pipe
// (_LAMBDA_TELEMETRY_LOG_FD), so a multi-line message stays one log event:
//   u32 BE 0xa55a0003 (text), u32 BE payload length, u64 BE µs since epoch, payload
// System.out and System.err become line-framed streams on the same pipe, so that their lines and
// the logger's records keep their order. Without the fd, everything stays on stdout.
package lambkin.runtime;

import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

final class Telemetry implements LambdaLogger {
    private static final int FRAME_TEXT = 0xa55a0003;
    private final OutputStream pipe;
    private final PrintStream fallback;

    private Telemetry(OutputStream pipe, PrintStream fallback) {
        this.pipe = pipe;
        this.fallback = fallback;
    }

    /** Opens the pipe named by the environment and redirects System.out/err into it. */
    static Telemetry install() {
        PrintStream stdout = System.out;
        String fd = System.getenv("_LAMBDA_TELEMETRY_LOG_FD");
        OutputStream pipe = null;
        if (fd != null && fd.matches("\\d+") && Integer.parseInt(fd) > 2) pipe = inherited(Integer.parseInt(fd));
        Telemetry t = new Telemetry(pipe, stdout);
        if (pipe != null) {
            System.setOut(new PrintStream(t.lines(), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(t.lines(), true, StandardCharsets.UTF_8));
        }
        return t;
    }

    /**
     * The inherited fd itself: Java has no public way to wrap an fd number, and reopening it through
     * /proc/self/fd fails (it is a socket, or a pipe owned by the host's user). The launch command
     * opens java.io to this runtime (--add-opens) for the one private field this needs.
     */
    private static OutputStream inherited(int fd) {
        try {
            FileDescriptor descriptor = new FileDescriptor();
            Field field = FileDescriptor.class.getDeclaredField("fd");
            field.setAccessible(true);
            field.setInt(descriptor, fd);
            return new FileOutputStream(descriptor);
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return null; // records go to stdout instead
        }
    }

    @Override
    public void log(String message) {
        log(message == null ? new byte[] {'n', 'u', 'l', 'l'} : message.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public synchronized void log(byte[] message) {
        if (pipe == null) {
            fallback.write(message, 0, message.length);
            if (message.length == 0 || message[message.length - 1] != '\n') fallback.write('\n');
            fallback.flush();
            return;
        }
        ByteBuffer frame = ByteBuffer.allocate(16 + message.length);
        frame.putInt(FRAME_TEXT).putInt(message.length).putLong(System.currentTimeMillis() * 1000L).put(message);
        try {
            pipe.write(frame.array());
        } catch (IOException ex) {
            // the host is gone: drop the record, never throw into user code
        }
    }

    /** A stream that sends one frame per line (the newline not included). */
    private OutputStream lines() {
        return new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    emit();
                } else {
                    line.write(b);
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                int start = off;
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        line.write(b, start, i - start);
                        emit();
                        start = i + 1;
                    }
                }
                line.write(b, start, off + len - start);
            }

            private void emit() {
                byte[] bytes = line.toByteArray();
                line.reset();
                int n = bytes.length;
                if (n > 0 && bytes[n - 1] == '\r') n--;
                byte[] text = new byte[n];
                System.arraycopy(bytes, 0, text, 0, n);
                log(text);
            }
        };
    }
}
