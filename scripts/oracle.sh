#!/usr/bin/env bash
# Reference outputs from TensorFlow.js (tools/oracle/) for the C runtime's
# tests: installs the pinned npm packages with `npm ci` (once) and runs the
# oracle on nanodet for a procedural picture and, when the shared test
# footage and ffmpeg are there, a real frame; and, when installed, on
# blazeface, faceres and mobileface for a procedural picture (about 10 s in
# all). Outputs go to OUT_DIR/<model>/<case>/ (default build/nn-oracle; the C test reads
# $PORCH_BUILD_DIR/nn-oracle, or $PORCH_NN_ORACLE_DIR/nn-oracle).
#   scripts/oracle.sh [OUT_DIR] [--bench]   --bench also times tfjs-wasm
# Quiet and quick when the outputs are already newer than the model and the
# oracle script. Needs scripts/models.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/nn-oracle
bench=()
for a in "$@"; do
  case $a in
    --bench) bench=(--bench) ;;
    *) out=$a ;;
  esac
done
models=.deps/models
[[ -f $models/nanodet.json ]] || { echo "oracle.sh: no model: run scripts/models.sh first" >&2; exit 3; }
command -v node >/dev/null || { echo "oracle.sh: node is required" >&2; exit 3; }

if [[ ! -d tools/oracle/node_modules/@tensorflow/tfjs-converter ]] ||
   [[ tools/oracle/package-lock.json -nt tools/oracle/node_modules/.package-lock.json ]]; then
  (cd tools/oracle && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)
fi

stamp=$out/nanodet/procedural/manifest.txt
if [[ ${#bench[@]} -eq 0 && -f $stamp && $stamp -nt tools/oracle/oracle.mjs && $stamp -nt "$0" &&
      $stamp -nt $models/nanodet.bin ]]; then
  fresh=1
  for m in blazeface faceres mobileface; do   # optional models: fresh outputs when installed
    ms=$out/$m/procedural/manifest.txt
    if [[ -f $models/$m.bin ]] && ! [[ -f $ms && $ms -nt $models/$m.bin && $ms -nt tools/oracle/oracle.mjs ]]; then
      fresh=0
    fi
  done
  [[ $fresh -eq 0 ]] || exit 0
fi

mkdir -p "$out"
frame=()
video=../shared/testdata/videos/one-by-one-person-detection.mp4
if [[ -f $video ]] && command -v ffmpeg >/dev/null; then
  # a real frame, letterboxed to 416x416 (black bars), BGR24
  ffmpeg -v error -y -ss 30 -i "$video" -frames:v 1 \
    -vf 'scale=416:416:force_original_aspect_ratio=decrease,pad=416:416:(ow-iw)/2:(oh-ih)/2' \
    -f rawvideo -pix_fmt bgr24 "$out/frame.bgr"
  frame=(--frame "$out/frame.bgr")
else
  echo "oracle.sh: shared test footage or ffmpeg absent: procedural input only" >&2
fi
node tools/oracle/oracle.mjs --models "$models" --out "$out" "${frame[@]}" "${bench[@]}" \
  2>&1 | grep -v -e '^=*$' -e 'Hi, looks like' -e 'tfjs-node' -e '^$' >&2 || true
[[ -f $stamp ]] || { echo "oracle.sh: the oracle produced no outputs" >&2; exit 1; }
