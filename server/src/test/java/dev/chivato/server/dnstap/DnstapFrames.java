package dev.chivato.server.dnstap;

import dev.chivato.server.dnstap.proto.DnstapProto.Dnstap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a Frame Streams file of dnstap frames the way the format says, for tests to compare bytes exactly. */
public final class DnstapFrames {
    private DnstapFrames() {
    }

    /** Every dnstap message in the file, checking START first (with dnstap's content type) and STOP last. */
    public static List<Dnstap> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        FrameStreams.ControlFrame start = control(in);
        if (start.type() != FrameStreams.Control.START
                || !start.contentTypes().equals(List.of(FrameStreams.DNSTAP_CONTENT_TYPE))) {
            throw new IOException("the file does not begin with START for dnstap: " + start);
        }
        List<Dnstap> messages = new ArrayList<>();
        while (true) {
            int length = in.getInt(in.position());
            if (length == 0) {
                FrameStreams.ControlFrame stop = control(in);
                if (stop.type() != FrameStreams.Control.STOP || in.hasRemaining()) {
                    throw new IOException("the file does not end with STOP: " + stop);
                }
                return messages;
            }
            in.getInt();
            byte[] frame = new byte[length];
            in.get(frame);
            messages.add(Dnstap.parseFrom(frame));
        }
    }

    private static FrameStreams.ControlFrame control(ByteBuffer in) throws IOException {
        if (in.getInt() != 0) {
            throw new IOException("a data frame where a control frame was due");
        }
        byte[] body = new byte[in.getInt()];
        in.get(body);
        return FrameStreams.parseControl(ByteBuffer.wrap(body));
    }
}
