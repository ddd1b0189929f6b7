#!/usr/bin/env python3
"""Hostile clients for the soak test, all aimed at 127.0.0.1 and stopping by themselves after --seconds.

flood:    sends damaged DNS messages (bit flips, cuts, bad pointers, random bytes) and a few valid ones over UDP,
          as fast as one socket goes; counts what came back and the largest response/query size ratio.
slowloris: keeps --connections TCP connections that each send half a message and then nothing; reopens the ones
          the server closes, and counts those closes.
amplify:  keeps --connections TCP connections that each send a 65,535-octet junk frame and then pipelined queries
          for a name with a large answer (--name), as fast as the server reads them, and never read; reopens the
          ones the server closes or resets, and counts those.
halfclose: one client after another sends 3 queries, shuts down its sending side, and reads: counts the clients
          that got all 3 answers and then the server's close.
Prints one JSON object with its counts.
"""
import argparse
import json
import random
import select
import socket
import struct
import time

SEED_QUERY = bytes.fromhex("123401000001000000000000076578616d706c6503636f6d0000010001")


def query(name, qtype, edns=False):
    header = struct.pack(">HHHHHH", random.randrange(65536), 0x0100, 1, 0, 0, 1 if edns else 0)
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".") if p) + b"\0"
    opt = b"\0" + struct.pack(">HHIH", 41, 1232, 0, 0) if edns else b""
    return header + labels + struct.pack(">HH", qtype, 1) + opt


def damaged():
    kind = random.randrange(6)
    base = bytearray(random.choice([SEED_QUERY, query("big.example.com", 1, True), query("x.example.my", 28)]))
    if kind == 0:
        for _ in range(random.randrange(1, 4)):
            base[random.randrange(len(base))] ^= 1 << random.randrange(8)
    elif kind == 1:
        base = base[:random.randrange(len(base))]
    elif kind == 2:
        base[12:14] = bytes([0xC0, random.randrange(256)])  # a pointer to anywhere, loops included
    elif kind == 3:
        base = bytearray(random.randbytes(random.randrange(1, 300)))
    elif kind == 4:
        base[4:12] = random.randbytes(8)  # counts that lie
    else:
        base += random.randbytes(random.randrange(1, 40))  # trailing garbage
    return bytes(base)


def flood(port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setblocking(False)
    target = ("127.0.0.1", port)
    sent = malformed = answered = 0
    worst_ratio = 0.0
    sizes = {}
    end = time.time() + seconds
    valid = [query("example.com", 255, True), query("example.com", 1), query("5.3.2.1.in-addr.arpa", 12, True)]
    while time.time() < end:
        packet = random.choice(valid) if random.random() < 0.1 else damaged()
        malformed += packet not in valid
        try:
            sock.sendto(packet, target)
            sent += 1
            sizes[packet[:2]] = len(packet)
        except BlockingIOError:
            select.select([], [sock], [], 0.01)
        while True:
            try:
                data = sock.recv(65535)
            except BlockingIOError:
                break
            answered += 1
            asked = sizes.get(data[:2])
            if asked:
                worst_ratio = max(worst_ratio, len(data) / asked)
        if len(sizes) > 100000:
            sizes.clear()
    time.sleep(0.5)
    while True:
        try:
            sock.recv(65535)
            answered += 1
        except BlockingIOError:
            break
    return {"sent": sent, "malformed_sent": malformed, "answered": answered,
            "largest_response_to_query_ratio": round(worst_ratio, 2)}


def slowloris(port, seconds, connections):
    half = struct.pack(">H", len(SEED_QUERY)) + SEED_QUERY[:10]
    open_sockets = []
    opened = closed_by_server = 0
    end = time.time() + seconds
    while time.time() < end:
        while len(open_sockets) < connections and time.time() < end:
            s = socket.socket()
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(half)
                s.setblocking(False)
                open_sockets.append(s)
                opened += 1
            except OSError:
                s.close()
                time.sleep(0.05)
        readable, _, _ = select.select(open_sockets, [], [], 0.2)
        for s in readable:
            try:
                data = s.recv(100)
            except OSError:
                data = b""
            if not data:
                closed_by_server += 1
                open_sockets.remove(s)
                s.close()
    for s in open_sockets:
        s.close()
    return {"opened": opened, "closed_by_server": closed_by_server}


def amplify(port, seconds, connections, name):
    junk = struct.pack(">H", 0xFFFF) + bytes(0xFFFF)
    one = query(name, 1)
    stream = junk + (struct.pack(">H", len(one)) + one) * 1800
    clients = {}
    opened = closed_by_server = 0
    end = time.time() + seconds
    while time.time() < end:
        while len(clients) < connections and time.time() < end:
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            try:
                s.connect(("127.0.0.1", port))
                s.setblocking(False)
                clients[s] = 0
                opened += 1
            except OSError:
                s.close()
                time.sleep(0.05)
        for s in list(clients):
            try:
                if clients[s] >= len(stream):
                    clients[s] = len(junk)  # keep asking: the same queries again
                clients[s] += s.send(stream[clients[s]:clients[s] + 65536])
            except BlockingIOError:
                pass
            except OSError:
                clients[s] = -1
            # never read; only notice a reset (the answers already received stay unread in the socket)
            if clients[s] >= 0 and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                continue
            closed_by_server += 1
            del clients[s]
            s.close()
        time.sleep(0.01)
    for s in clients:
        s.close()
    return {"opened": opened, "closed_by_server": closed_by_server}


def halfclose(port, seconds):
    trials = complete = 0
    end = time.time() + seconds
    while time.time() < end:
        trials += 1
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            for i in range(3):
                q = query("example.com", 1)
                s.sendall(struct.pack(">H", len(q)) + q)
            s.shutdown(socket.SHUT_WR)
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            answers = 0
            while len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
                data = data[2 + struct.unpack(">H", data[:2])[0]:]
                answers += 1
            complete += answers == 3 and not data
        time.sleep(0.01)
    return {"trials": trials, "complete": complete}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["flood", "slowloris", "amplify", "halfclose"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--name", default="huge.example.com")
    args = parser.parse_args()
    if args.mode == "flood":
        result = flood(args.port, args.seconds)
    elif args.mode == "slowloris":
        result = slowloris(args.port, args.seconds, args.connections)
    elif args.mode == "amplify":
        result = amplify(args.port, args.seconds, args.connections, args.name)
    else:
        result = halfclose(args.port, args.seconds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
