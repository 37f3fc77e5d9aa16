#!/usr/bin/env bash
# demo.sh: README command (1). Until the hub and server exist, this runs the
# core end to end through the `porch` CLI: device keys, a household roster,
# a real video sealed into a clip, opened and verified by a member, refused
# to the hub that sealed it and to an outsider, and a look at the bytes to
# show that nothing in the sealed file is readable.
#
# Usage: scripts/demo.sh [VIDEO]
#   VIDEO: any video file FFmpeg reads. Otherwise the first existing of
#   ../shared/testdata/videos/one-by-one-person-detection.mp4 and
#   ../shared/testdata/sequences/sbi-cavignal/video.mp4; otherwise a
#   synthetic H.264 video is generated (and the demo says so).
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

# 1 when the file contains the literal bytes, else 0.
has() { if LC_ALL=C grep -q -a -F -- "$2" "$1"; then echo 1; else echo 0; fi; }

step "dependencies and build"
if [[ -f scripts/deps.sh ]]; then
    bash scripts/deps.sh
else
    echo "scripts/deps.sh not present: assuming the build dependencies are installed"
fi
if [[ ! -f "$build/build.ninja" ]]; then
    meson setup "$build"
fi
nice ninja -C "$build" cli/porch tests/cli/porch-make-test-video
porch="$root/$build/cli/porch"
make_video="$root/$build/tests/cli/porch-make-test-video"

rm -rf "$out"
mkdir -p "$out"
cd "$out"
umask 077

step "device keys (Argon2id 'interactive' level to keep the demo quick; the default is 'moderate')"
for dev in owner member hub outsider; do
    # A random passphrase per device, in a file only we can read.
    head -c 24 /dev/urandom | base64 > "$dev.pass"
done
"$porch" keygen --name "owner laptop" --out owner --kdf interactive --passphrase-file owner.pass
"$porch" keygen --name "member phone" --out member --kdf interactive --passphrase-file member.pass
"$porch" keygen --name "porch hub" --out hub --kdf interactive --passphrase-file hub.pass
"$porch" keygen --name "outsider" --out outsider --kdf interactive --passphrase-file outsider.pass
pin="$("$porch" fingerprint owner.pub | cut -d' ' -f1)"
echo "owner fingerprint (the pin every device keeps): $pin"

step "household roster: hub records camera 'porch', member may view it"
"$porch" roster init --roster roster.bin --key owner.key --passphrase-file owner.pass
"$porch" roster add --roster roster.bin --pin "$pin" --key owner.key \
    --passphrase-file owner.pass --device hub.pub --role hub --cameras porch
"$porch" roster add --roster roster.bin --pin "$pin" --key owner.key \
    --passphrase-file owner.pass --device member.pub --role member --cameras porch
"$porch" roster show --roster roster.bin --pin "$pin" --state member.state

step "the video"
video=""
for candidate in "${1:-}" \
    "$root/../shared/testdata/videos/one-by-one-person-detection.mp4" \
    "$root/../shared/testdata/sequences/sbi-cavignal/video.mp4"; do
    if [[ -n "$candidate" && -f "$candidate" ]]; then
        video="$(cd "$(dirname "$candidate")" && pwd)/$(basename "$candidate")"
        break
    fi
done
if [[ -n "$video" ]]; then
    echo "real video: $video ($(stat -c %s "$video") bytes)"
else
    echo "no real video found: generating a SYNTHETIC H.264 test video instead"
    "$make_video" synthetic.mp4
    video="$out/synthetic.mp4"
fi

reason="person-at-the-door-demo-reason"
step "seal as the hub (packets copied into fragmented MP4, no re-encoding)"
"$porch" seal --in "$video" --out clip.pcl --key hub.key --passphrase-file hub.pass \
    --roster roster.bin --pin "$pin" --camera porch --reason "$reason"

step "open as the member"
"$porch" open --in clip.pcl --key member.key --passphrase-file member.pass \
    --roster roster.bin --pin "$pin" --state member.state --out member.mp4 --meta member.json
count_frames() {
    ffprobe -v error -select_streams v:0 -count_packets \
        -show_entries stream=nb_read_packets -of csv=p=0 "$1" 2> /dev/null || echo '?'
}
if command -v ffprobe > /dev/null; then
    echo "ffprobe: the video has $(count_frames "$video") frames, member.mp4 has" \
        "$(count_frames member.mp4)"
fi

step "verify (anyone with the roster: no key; the member: every record)"
"$porch" verify --in clip.pcl --roster roster.bin --pin "$pin"
"$porch" verify --in clip.pcl --roster roster.bin --pin "$pin" \
    --key member.key --passphrase-file member.pass | grep -E ': OK|^bytes|^reason'

step "who cannot open it"
expect_fail "the hub that sealed it" "$porch" open --in clip.pcl --key hub.key \
    --passphrase-file hub.pass --roster roster.bin --pin "$pin" --out hub.mp4
expect_fail "an outsider" "$porch" open --in clip.pcl --key outsider.key \
    --passphrase-file outsider.pass --roster roster.bin --pin "$pin" --out outsider.mp4
expect_fail "the member with a wrong passphrase" "$porch" open --in clip.pcl \
    --key member.key --passphrase-file owner.pass --roster roster.bin --pin "$pin" \
    --out wrong.mp4
cp clip.pcl tampered.pcl
printf '\x55' | dd of=tampered.pcl bs=1 seek=$(( $(stat -c %s clip.pcl) / 2 )) conv=notrunc \
    status=none
expect_fail "a clip with one byte changed" "$porch" verify --in tampered.pcl \
    --roster roster.bin --pin "$pin" --key member.key --passphrase-file member.pass

step "what the bytes show (1 = found, 0 = absent)"
printf '  %-34s %-8s %s\n' "plaintext marker" "sealed" "opened"
leaks=0
for marker in ftyp moov moof mdat "$reason"; do
    opened_file=member.mp4
    [[ "$marker" == "$reason" ]] && opened_file=member.json
    s="$(has clip.pcl "$marker")"
    o="$(has "$opened_file" "$marker")"
    printf '  %-34s %-8s %s (%s)\n' "$marker" "$s" "$o" "$opened_file"
    leaks=$((leaks + s))
done
if [[ $leaks -ne 0 ]]; then
    echo "UNEXPECTED: plaintext found in the sealed clip" >&2
    exit 1
fi

step "summary"
cat <<EOF
  video:        $video ($(stat -c %s "$video") bytes)
  sealed clip:  $out/clip.pcl ($(stat -c %s clip.pcl) bytes): no box name, no reason text readable
  opened:       $out/member.mp4 ($(stat -c %s member.mp4) bytes) + member.json, by 'member phone'
  refused:      the hub that sealed it, an outsider, a wrong passphrase, a tampered clip
  trust anchor: owner fingerprint $pin
OK: keys, roster, seal, open and verify work end to end.
EOF
