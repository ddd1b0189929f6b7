"""Reads whole-zone transfers as fast as the socket delivers them, and prints each one's milliseconds from the
query sent to the last record read: the primary's side of a transfer, with a reader that does no work.

    python3 axfr_read.py PORT ZONE RECORDS [TIMES]

RECORDS is the number of records the transfer holds with its closing SOA (the zone's records plus one): the reader
counts each message's answer records and stops there, as a secondary stops at the closing SOA.
"""
import socket
import struct
import sys
import time


def query(zone):
    name = b"".join(bytes([len(label)]) + label.encode() for label in zone.strip(".").split(".")) + b"\0"
    message = struct.pack(">HHHHHH", 0x4158, 0, 1, 0, 0, 0) + name + struct.pack(">HH", 252, 1)
    return struct.pack(">H", len(message)) + message


def transfer_ms(port, zone, records):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        start = time.monotonic()
        sock.sendall(query(zone))
        pending, seen = b"", 0
        while seen < records:
            data = sock.recv(1 << 20)
            if not data:
                raise SystemExit("the primary closed the connection after %d of %d records" % (seen, records))
            pending += data
            while len(pending) >= 2:
                length = struct.unpack(">H", pending[:2])[0]
                if len(pending) < 2 + length:
                    break
                seen += struct.unpack(">H", pending[8:10])[0]  # ANCOUNT, after the length and the ID and flags
                pending = pending[2 + length:]
        return (time.monotonic() - start) * 1000


def main():
    port, zone, records = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for _ in range(int(sys.argv[4]) if len(sys.argv) > 4 else 1):
        print("%.0f" % transfer_ms(port, zone, records), flush=True)


if __name__ == "__main__":
    main()
