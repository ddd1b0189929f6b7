package dev.chivato.server.dnstap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frame Streams, the framing dnstap travels in (fstrm's protocol): a data frame is a 32-bit big-endian length and
 * that many octets; a control frame starts with a zero length (the escape), then its own length, its type, and
 * fields (type, length, value), of which only the content type exists. A file is START, data frames, STOP; a socket
 * adds a handshake: the writer says READY, the reader ACCEPTs, the writer STARTs, and at the end STOP is answered
 * with FINISH.
 */
public final class FrameStreams {
    public static final String DNSTAP_CONTENT_TYPE = "protobuf:dnstap.Dnstap";

    /** The control frames' types. */
    public enum Control {
        ACCEPT(1), START(2), STOP(3), READY(4), FINISH(5);

        final int code;

        Control(int code) {
            this.code = code;
        }

        static Control of(int code) throws IOException {
            for (Control control : values()) {
                if (control.code == code) {
                    return control;
                }
            }
            throw new IOException("not a Frame Streams control frame type: " + code);
        }
    }

    /** The only field a control frame has. */
    private static final int CONTENT_TYPE_FIELD = 1;
    /** fstrm's limit on a control frame (after its length); a peer that sends more is not speaking Frame Streams. */
    public static final int MAX_CONTROL_LENGTH = 512;

    /** A received control frame and the content types it names. */
    public record ControlFrame(Control type, List<String> contentTypes) {
        public ControlFrame {
            contentTypes = List.copyOf(contentTypes);
        }
    }

    private FrameStreams() {
    }

    /** The whole control frame, escape included, naming {@code contentType} (none when null). */
    public static ByteBuffer control(Control type, String contentType) {
        byte[] content = contentType == null ? new byte[0] : contentType.getBytes(StandardCharsets.US_ASCII);
        int fields = contentType == null ? 0 : 8 + content.length;
        ByteBuffer frame = ByteBuffer.allocate(12 + fields);
        frame.putInt(0).putInt(4 + fields).putInt(type.code);
        if (contentType != null) {
            frame.putInt(CONTENT_TYPE_FIELD).putInt(content.length).put(content);
        }
        return frame.flip();
    }

    /**
     * Reads the body of a control frame (what follows the escape and its length) from {@code body}.
     *
     * @throws IOException when it is not a well-formed control frame
     */
    public static ControlFrame parseControl(ByteBuffer body) throws IOException {
        if (body.remaining() < 4) {
            throw new IOException("a Frame Streams control frame shorter than its type");
        }
        Control type = Control.of(body.getInt());
        List<String> contentTypes = new ArrayList<>();
        while (body.hasRemaining()) {
            if (body.remaining() < 8) {
                throw new IOException("a Frame Streams control field cut short");
            }
            int field = body.getInt();
            int length = body.getInt();
            if (length < 0 || length > body.remaining()) {
                throw new IOException("a Frame Streams control field longer than its frame");
            }
            byte[] value = new byte[length];
            body.get(value);
            if (field == CONTENT_TYPE_FIELD) {
                contentTypes.add(new String(value, StandardCharsets.US_ASCII));
            }
        }
        return new ControlFrame(type, contentTypes);
    }
}
