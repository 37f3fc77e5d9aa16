#!/usr/bin/env bash
# demo.sh: README command (1): the whole product on one machine, loopback only.
# Device keys and a household roster; porchlight-server started on
# 127.0.0.1; the owner pairs with it and creates the household; the hub
# records a real video as camera 'porch' (event clips copied without
# re-encoding, sealed fragment by fragment, uploaded); the member lists the
# clips, fetches one, verifies and opens it (video, metadata, thumbnail) and
# reads the sealed notices; the owner audits the access log; every byte the
# server holds is then scanned for anything the camera saw.
#
# Usage: scripts/demo.sh [VIDEO]
#   VIDEO: any video file FFmpeg reads. Otherwise .deps/media/vtest.mp4 (people
#   on a campus path: OpenCV's sample from Debian's opencv-doc package,
#   fetched and SHA-256 checked by scripts/media.sh).
# Environment: PORCH_DEMO_BUILD (default build) is the Meson build directory.
# Output goes to demo-out/ (recreated on every run).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${PORCH_DEMO_BUILD:-build}"
out="$root/demo-out"

step() { printf '\n== %s\n' "$*"; }

# Runs a command that must fail; prints its message as an expected failure.
expect_fail() {
    local what="$1" rc=0 msg
    shift
    msg="$("$@" 2>&1)" || rc=$?
    if [[ $rc -eq 0 ]]; then
        echo "UNEXPECTED: $what succeeded" >&2
        exit 1
    fi
    echo "  expected failure, exit $rc ($what):"
    echo "    $msg"
}

step "dependencies and build"
bash scripts/deps.sh
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build"
fi
nice ninja -C "$build" cli/porch server/porchlight-server hub/porchlight-hub
porch="$root/$build/cli/porch"
server_bin="$root/$build/server/porchlight-server"
hub_bin="$root/$build/hub/porchlight-hub"
if [[ -z "${1:-}" ]]; then
    bash scripts/media.sh
fi
video="${1:-$root/.deps/media/vtest.mp4}"
video="$(cd "$(dirname "$video")" && pwd)/$(basename "$video")"

rm -rf "$out"
mkdir -p "$out"
cd "$out"
umask 077

step "device keys (Argon2id 'interactive' level to keep the demo quick; the default is 'moderate')"
for dev in owner member hub outsider; do
    head -c 24 /dev/urandom | base64 > "$dev.pass" # a random passphrase per device
done
"$porch" keygen --name "owner laptop" --out owner --kdf interactive --passphrase-file owner.pass
"$porch" keygen --name "member phone" --out member --kdf interactive --passphrase-file member.pass
"$porch" keygen --name "porch hub" --out hub --kdf interactive --passphrase-file hub.pass
"$porch" keygen --name "outsider" --out outsider --kdf interactive --passphrase-file outsider.pass
pin="$("$porch" fingerprint owner.pub | cut -d' ' -f1)"
echo "owner fingerprint (the pin every device keeps): $pin"
as() { echo --server-state "$1.state" --key "$1.key" --passphrase-file "$1.pass"; }

step "household roster: the hub records camera 'porch', the member may view it"
"$porch" roster init --roster roster.bin --key owner.key --passphrase-file owner.pass
"$porch" roster add --roster roster.bin --pin "$pin" --key owner.key \
    --passphrase-file owner.pass --device hub.pub --role hub --cameras porch
"$porch" roster add --roster roster.bin --pin "$pin" --key owner.key \
    --passphrase-file owner.pass --device member.pub --role member --cameras porch

step "porchlight-server on 127.0.0.1 (SQLite and a blob directory in demo-out/server-data)"
mkdir -p server-data
"$server_bin" --listen 127.0.0.1 --port 0 --data server-data > server.out 2> server.log &
server_pid=$!
trap 'kill "$server_pid" 2> /dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q '^port ' server.out 2> /dev/null && break
    sleep 0.1
done
port="$(awk '/^port /{print $2; exit}' server.out)"
if [[ -z "$port" ]]; then
    cat server.log >&2
    echo "UNEXPECTED: the server did not start" >&2
    exit 1
fi
url="http://127.0.0.1:$port"
echo "listening on $url"

step "pair: the owner pins the server's key and creates the household; the member pairs"
"$porch" pair --server "$url" --server-state owner.state --roster roster.bin --pin "$pin" --create
"$porch" pair --server "$url" --server-state member.state --roster roster.bin --pin "$pin"
server_key="$(awk '/^server_pk /{print $2}' owner.state)"

step "the hub records camera 'porch'"
echo "video: $video ($(stat -c %s "$video") bytes)"
{
    echo "[hub]"
    echo "key = $out/hub.key"
    echo "passphrase_file = $out/hub.pass"
    echo "owner = $out/owner.pub"
    echo "roster = $out/roster.bin"
    echo "spool = $out/hub-spool"
    echo "server = $url"
    echo "server_key = $server_key"
    echo "models = $root/.deps/models"
    echo
    echo "[camera porch]"
    echo "url = $video"
    echo "realtime = no"
} > hub.conf
"$hub_bin" run --config hub.conf --once 2>&1 | tail -n 12

step "the member lists the clips and reads the sealed notices"
"$porch" clips $(as member) --camera porch | tee clips.txt
clip="$(awk 'length($1) == 32 {print $1; exit}' clips.txt)"
if [[ -z "$clip" ]]; then
    echo "UNEXPECTED: no clip on the server" >&2
    exit 1
fi
"$porch" notices $(as member) --roster roster.bin --pin "$pin" | tail -n 5

step "fetch clip $clip, verify every record, open it (video, metadata, thumbnail)"
"$porch" fetch $(as member) --roster roster.bin --pin "$pin" --clip "$clip" --out clip.pcl
"$porch" open --in clip.pcl --key member.key --passphrase-file member.pass \
    --roster roster.bin --pin "$pin" --state member.roster-state --out member.mp4 \
    --meta member.json --thumbnail member.jpg
if command -v ffprobe > /dev/null; then
    frames="$(ffprobe -v error -select_streams v:0 -count_packets \
        -show_entries stream=nb_read_packets -of csv=p=0 member.mp4)"
    thumb="$(ffprobe -v error -show_entries stream=width,height -of csv=p=0:s=x member.jpg)"
    echo "ffprobe: member.mp4 has $frames frames; member.jpg is a $thumb image"
fi
reason="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("reason",""))' \
    member.json 2> /dev/null || true)"
echo "why the event fired (sealed in the clip): ${reason:-?}"

step "who cannot open it"
expect_fail "the hub that sealed it" "$porch" open --in clip.pcl --key hub.key \
    --passphrase-file hub.pass --roster roster.bin --pin "$pin" --out hub.mp4
expect_fail "an outsider" "$porch" open --in clip.pcl --key outsider.key \
    --passphrase-file outsider.pass --roster roster.bin --pin "$pin" --out outsider.mp4
cp clip.pcl tampered.pcl
printf '\x55' | dd of=tampered.pcl bs=1 seek=$(($(stat -c %s clip.pcl) / 2)) conv=notrunc \
    status=none
expect_fail "a clip with one byte changed" "$porch" verify --in tampered.pcl \
    --roster roster.bin --pin "$pin" --key member.key --passphrase-file member.pass

step "the owner audits the access log (every read above, proven)"
"$porch" audit $(as owner) --roster roster.bin --pin "$pin" | tail -n 8

step "what the server holds (1 = found in its database, blobs or log; 0 = absent)"
kill "$server_pid"
wait "$server_pid" 2> /dev/null || true
trap - EXIT
cp server.log server-data/ # its log counts as something it holds
python3 "$root/scripts/demo_scan.py" server-data member.mp4 member.jpg "${reason:-}"

step "summary"
echo "  video:        $video"
echo "  server:       $url; demo-out/server-data holds nothing readable (scan above)"
echo "  clips:        $(grep -c '^[0-9a-f]\{32\}' clips.txt) on the server for camera 'porch'"
echo "  opened:       demo-out/member.mp4 ($(stat -c %s member.mp4) bytes), member.json, member.jpg"
echo "  refused:      the hub that sealed it, an outsider, a tampered clip"
echo "  trust anchor: owner fingerprint $pin"
echo "OK: camera -> hub -> sealed upload -> server -> member fetch, open, notices, audit."
