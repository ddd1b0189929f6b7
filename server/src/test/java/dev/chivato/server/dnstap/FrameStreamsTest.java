package dev.chivato.server.dnstap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameStreamsTest {
    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void startNamesTheContentTypeAfterTheEscapeAndTheFrameLength() {
        ByteBuffer expected = ByteBuffer.allocate(42).putInt(0).putInt(34).putInt(2).putInt(1).putInt(22)
                .put("protobuf:dnstap.Dnstap".getBytes()).flip();
        assertArrayEquals(bytes(expected),
                bytes(FrameStreams.control(FrameStreams.Control.START, FrameStreams.DNSTAP_CONTENT_TYPE)));
    }

    @Test
    void stopWithoutAContentTypeIsTwelveOctets() {
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 3},
                bytes(FrameStreams.control(FrameStreams.Control.STOP, null)));
    }

    @Test
    void anAcceptReadsBackWithItsContentTypes() throws IOException {
        ByteBuffer frame = FrameStreams.control(FrameStreams.Control.ACCEPT, FrameStreams.DNSTAP_CONTENT_TYPE);
        frame.position(8);
        assertEquals(new FrameStreams.ControlFrame(FrameStreams.Control.ACCEPT,
                List.of(FrameStreams.DNSTAP_CONTENT_TYPE)), FrameStreams.parseControl(frame));
    }

    @Test
    void aFieldLongerThanItsFrameIsRefused() {
        ByteBuffer body = ByteBuffer.allocate(12).putInt(1).putInt(1).putInt(100).flip();
        assertThrows(IOException.class, () -> FrameStreams.parseControl(body));
    }

    @Test
    void anUnknownControlTypeIsRefused() {
        assertThrows(IOException.class, () -> FrameStreams.parseControl(ByteBuffer.allocate(4).putInt(9).flip()));
    }
}
