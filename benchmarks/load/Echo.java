import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The JVM's floor for a UDP DNS server, the "echo" row of compare.sh: one receive and one send per datagram, the
 * query sent back with its QR bit set (so dnsperf counts it as answered) and no other work. Run as a single source
 * file: {@code java benchmarks/load/Echo.java PORT}.
 */
public final class Echo {
    public static void main(String[] args) throws Exception {
        DatagramChannel channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1",
                Integer.parseInt(args[0])));
        ByteBuffer buffer = ByteBuffer.allocateDirect(65535);
        System.out.println("listening udp 127.0.0.1:" + args[0]);
        while (true) {
            buffer.clear();
            SocketAddress from = channel.receive(buffer);
            buffer.flip();
            if (buffer.remaining() >= 3) {
                buffer.put(2, (byte) (buffer.get(2) | 0x80));
            }
            channel.send(buffer, from);
        }
    }
}
