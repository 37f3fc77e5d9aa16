#!/usr/bin/env bash
# Fetches real camera footage from a package registry for the demo and for
# tests that want real video on a fresh machine: Debian's opencv-doc package
# ships OpenCV's sample data, among it vtest.avi (an outdoor surveillance
# scene: people walking across a campus path, 768x576, 10 fps, 79.5 s) and
# tree.avi (a tree swaying in wind behind a window: a nuisance-only scene).
# Only those two files are kept, checked against media/SHA256SUMS; nothing of
# them is ever committed. Each is also converted once to H.264 (what an IP
# camera sends; keyframe every 2 s) so the hub can record it without
# re-encoding: .deps/media/{vtest,tree}.mp4.
# Idempotent: quiet and quick when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
sums=$(pwd)/media/SHA256SUMS
dest=.deps/media
files=(vtest.avi tree.avi)

want() { awk -v f="$1" '$2 == f { print $1 }' "$sums"; }
ok() { [[ -f $1 ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$(want "$(basename "$1")")" ]]; }

need_fetch=0
for f in "${files[@]}"; do ok "$dest/$f" || need_fetch=1; done
mkdir -p "$dest"
if [[ $need_fetch -eq 1 ]]; then
  tmp=$(mktemp -d .deps/media.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  echo "media.sh: fetching opencv-doc from Debian for its sample footage" >&2
  (cd "$tmp" && apt-get download opencv-doc >/dev/null 2>&1) || {
    [[ $(id -u) -eq 0 ]] && apt-get update -qq >/dev/null 2>&1
    (cd "$tmp" && apt-get download opencv-doc >/dev/null) ||
      { echo "media.sh: apt-get download opencv-doc failed" >&2; exit 3; }
  }
  deb=$(ls "$tmp"/opencv-doc_*.deb)
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$tmp" "${files[@]/#/./usr/share/doc/opencv-doc/examples/data/}"
  for f in "${files[@]}"; do
    src="$tmp/usr/share/doc/opencv-doc/examples/data/$f"
    ok "$src" || { echo "media.sh: $f does not match media/SHA256SUMS" >&2; exit 1; }
    mv -f "$src" "$dest/$f"
  done
fi
for f in "${files[@]}"; do
  mp4="$dest/${f%.avi}.mp4"
  [[ -s $mp4 && $mp4 -nt $dest/$f ]] && continue
  ffmpeg -nostdin -v error -y -i "$dest/$f" -an -c:v libx264 -preset veryfast -crf 20 \
    -pix_fmt yuv420p -g 20 -keyint_min 20 -sc_threshold 0 -movflags +faststart "$mp4.tmp.mp4"
  mv -f "$mp4.tmp.mp4" "$mp4"
done
