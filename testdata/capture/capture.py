#!/usr/bin/env python3
"""Records real DNS messages from real tools into testdata/src/main/resources/captures.

Queries: dig, kdig and drill send to a socket of ours on 127.0.0.1, which keeps the bytes.
Responses: NSD and Knot (Debian packages) serve example.com.zone on 127.0.0.1; a relay of ours sits between dig and
the server, keeps the query and the response, and passes the response on, so dig prints what it got.

Run as root on a machine with dnsutils, knot-dnsutils, ldnsutils, nsd and knot installed:
    python3 testdata/capture/capture.py
It rewrites the .bin files and captures.tsv, and prints the manifest entries (tool, version, command, dig's output).
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "main", "resources", "captures")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def version(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    return (out.stdout + out.stderr).strip().splitlines()[0]


def save(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


class Relay:
    """A UDP+TCP listener that records what it receives and, given an upstream, relays the answer back."""

    def __init__(self, upstream=None):
        self.port = free_port()
        self.upstream = upstream
        self.query = None
        self.response = None
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", self.port))
        self.tcp.listen(4)
        threading.Thread(target=self.serve_udp, daemon=True).start()
        threading.Thread(target=self.serve_tcp, daemon=True).start()

    def serve_udp(self):
        while True:
            data, peer = self.udp.recvfrom(65535)
            if self.query is None:
                self.query = data
            if self.upstream:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as up:
                    up.settimeout(2)
                    up.sendto(data, ("127.0.0.1", self.upstream))
                    answer = up.recv(65535)
                if self.response is None:
                    self.response = answer
                self.udp.sendto(answer, peer)

    def serve_tcp(self):
        while True:
            conn, _ = self.tcp.accept()
            with conn:
                length = int.from_bytes(recv_exactly(conn, 2), "big")
                data = recv_exactly(conn, length)
                if self.query is None:
                    self.query = data
                if self.upstream:
                    with socket.create_connection(("127.0.0.1", self.upstream), timeout=2) as up:
                        up.sendall(len(data).to_bytes(2, "big") + data)
                        answer = recv_exactly(up, int.from_bytes(recv_exactly(up, 2), "big"))
                    if self.response is None:
                        self.response = answer
                    conn.sendall(len(answer).to_bytes(2, "big") + answer)
                else:
                    time.sleep(0.2)

    def close(self):
        self.udp.close()
        self.tcp.close()


def recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError("connection closed")
        data += chunk
    return data


manifest = []


def run_tool(argv_for_port, upstream=None):
    relay = Relay(upstream)
    argv = argv_for_port(relay.port)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    time.sleep(0.1)
    relay.close()
    return relay, argv, out.stdout


def capture_query(name, tool_version, argv_for_port, expect):
    relay, argv, _ = run_tool(argv_for_port)
    assert relay.query, name + ": no query arrived"
    save(name, relay.query)
    manifest.append((name, tool_version, " ".join(argv).replace(str(relay.port), "PORT"), "", expect))


def capture_response(query_name, response_name, server, upstream, tool_version, argv_for_port, expect_query,
                     expect_response):
    relay, argv, printed = run_tool(argv_for_port, upstream)
    assert relay.response, response_name + ": no response arrived"
    command = " ".join(argv).replace(str(relay.port), "PORT")
    if query_name:
        save(query_name, relay.query)
        manifest.append((query_name, tool_version, command, "", expect_query))
    save(response_name, relay.response)
    manifest.append((response_name, server + " answering " + tool_version, command, printed, expect_response))


def start_nsd(tmp, port):
    conf = os.path.join(tmp, "nsd.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
  ip-address: 127.0.0.1@{port}
  username: ""
  chroot: ""
  zonesdir: "{HERE}"
  pidfile: "{tmp}/nsd.pid"
  logfile: "{tmp}/nsd.log"
  zonelistfile: "{tmp}/zone.list"
  xfrdfile: "{tmp}/xfrd.state"
  database: ""
  server-count: 1
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: example.com
  zonefile: example.com.zone
""")
    proc = subprocess.Popen(["nsd", "-d", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def start_knot(tmp, port):
    conf = os.path.join(tmp, "knot.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
    listen: 127.0.0.1@{port}
    rundir: "{tmp}"
database:
    storage: "{tmp}"
log:
  - target: "{tmp}/knot.log"
    any: info
template:
  - id: default
    storage: "{HERE}"
    journal-content: none
    zonefile-sync: -1
zone:
  - domain: example.com
    file: example.com.zone
""")
    proc = subprocess.Popen(["knotd", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def wait_for(port):
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server on port %d did not start" % port)


def main():
    os.makedirs(OUT, exist_ok=True)
    dig = version(["dig", "-v"])
    kdig = version(["kdig", "--version"])
    drill = version(["drill", "-v"])
    nsd = version(["nsd", "-v"])
    knot = version(["knotd", "--version"])
    q = "query"
    dig_base = lambda p: ["dig", "@127.0.0.1", "-p", str(p), "+tries=1", "+time=1"]
    capture_query("dig-query-a.bin", dig, lambda p: dig_base(p) + ["example.com", "A"],
                  f"{q} example.com A rd edns cookie")
    capture_query("dig-query-norec.bin", dig, lambda p: dig_base(p) + ["+norec", "example.com", "A"],
                  f"{q} example.com A edns cookie")
    capture_query("dig-query-tcp.bin", dig, lambda p: dig_base(p) + ["+tcp", "example.com", "A"],
                  f"{q} example.com A rd edns cookie")
    capture_query("dig-query-ptr.bin", dig, lambda p: dig_base(p) + ["-x", "1.2.3.5"],
                  f"{q} 5.3.2.1.in-addr.arpa PTR rd edns cookie")
    capture_query("kdig-query-a.bin", kdig,
                  lambda p: ["kdig", "@127.0.0.1", "-p", str(p), "+timeout=1", "+retry=0", "example.com", "A"],
                  f"{q} example.com A rd")
    capture_query("drill-query-a.bin", drill,
                  lambda p: ["drill", "-p", str(p), "-u", "example.com", "A", "@127.0.0.1"],
                  f"{q} example.com A rd")

    with tempfile.TemporaryDirectory() as tmp:
        nsd_port, knot_port = free_port(), free_port()
        servers = [start_nsd(tmp, nsd_port), start_knot(tmp, knot_port)]
        try:
            wait_for(nsd_port)
            wait_for(knot_port)
            for server, port, tag in (("NSD " + nsd, nsd_port, "nsd"), ("Knot " + knot, knot_port, "knot")):
                capture_response(None, f"{tag}-response-a.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["example.com", "A"],
                                 None, "response NOERROR example.com A rd aa an=2")
                capture_response(None, f"{tag}-response-nxdomain.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["nowhere.example.com", "A"],
                                 None, "response NXDOMAIN nowhere.example.com A rd aa an=0 ns=1")
                capture_response(None, f"{tag}-response-refused.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["example.org", "A"],
                                 None, "response REFUSED example.org A rd an=0")
                capture_response(None, f"{tag}-response-badvers.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["+edns=1", "+noednsneg", "example.com", "A"],
                                 None, "response BADVERS example.com A rd an=0")
                capture_response(None, f"{tag}-response-truncated.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["+ignore", "+noedns", "big.example.com", "A"],
                                 None, "response NOERROR big.example.com A rd aa tc")
                capture_response(None, f"{tag}-response-mx.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["example.com", "MX"],
                                 None, "response NOERROR example.com MX rd aa an=2")
                capture_response(None, f"{tag}-response-any-tcp.bin", server, port, dig,
                                 lambda p: dig_base(p) + ["+tcp", "example.com", "ANY"],
                                 None, "response NOERROR example.com ANY rd aa")
        finally:
            for proc in servers:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)

    with open(os.path.join(OUT, "captures.tsv"), "w") as f:
        f.write("# file\texpected (kind rcode qname qtype flags counts)\n")
        for name, _, _, _, expect in manifest:
            f.write(f"{name}\t{expect}\n")
    with open(os.path.join(HERE, "..", "MANIFEST.md"), "w") as f:
        f.write("# testdata captures\n\nMade on " + time.strftime("%Y-%m-%d") +
                " by `python3 testdata/capture/capture.py` on a Debian 12 machine, loopback only.\n"
                "Each file is one DNS message as it crossed the socket (TCP captures without the 2-octet length).\n"
                "`captures.tsv` beside the files holds what each must decode to; the tests check it.\n\n")
        for name, tool, command, printed, expect in manifest:
            f.write(f"## {name}\n- made by: {tool}\n- command: `{command}`\n- expected: {expect}\n")
            if printed:
                f.write("- what dig printed:\n\n```\n" + printed.strip() + "\n```\n")
            f.write("\n")
    print("wrote", len(manifest), "captures to", os.path.normpath(OUT))


if __name__ == "__main__":
    sys.exit(main())
