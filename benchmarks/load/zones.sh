# Writes the seed's records as the peers want them into directory $1: a hosts file (chivato, Twisted Names) and
# zone files (NSD, Knot). Sourced by the load scripts.
write_seed_records() {
  local dir=$1
  cat > "$dir/hosts" <<'HOSTS'
1.2.3.4 example.com
1.2.3.5 example.com example.my
HOSTS
  cat > "$dir/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
@ IN A 1.2.3.4
@ IN A 1.2.3.5
ns IN A 127.0.0.1
ZONE
  cat > "$dir/example.my.zone" <<'ZONE'
$ORIGIN example.my.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
@ IN A 1.2.3.5
ZONE
  cat > "$dir/3.2.1.in-addr.arpa.zone" <<'ZONE'
$ORIGIN 3.2.1.in-addr.arpa.
$TTL 300
@ IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@ IN NS ns.example.com.
4 IN PTR example.com.
5 IN PTR example.com.
5 IN PTR example.my.
ZONE
}

# The query mix: A hit, A miss (NXDOMAIN), AAAA NODATA, PTR hit, in turn; 4,000 lines.
write_query_mix() {
  local file=$1
  : > "$file"
  for _ in $(seq 1000); do
    printf 'example.com A\nnowhere.example.com A\nexample.com AAAA\n5.3.2.1.in-addr.arpa PTR\n' >> "$file"
  done
}
