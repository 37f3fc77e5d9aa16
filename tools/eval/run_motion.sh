#!/bin/sh
# run_motion.sh: runs the Motion daemon (Debian package `motion`, 4.5.x) on
# each development sequence and writes its per-frame decisions, for
# porch_motion_eval --motion OUTDIR.
#
#   tools/eval/run_motion.sh [SEQUENCES_DIR] [OUTDIR]
#
# How: each video.mp4 becomes [3 s of its first frame][the video][12 s of
# its first frame] and is fed to Motion as a file camera (netcam_url
# file://...; Motion paces a file at its frame rate and loops it). On the
# first pass Motion 4.5.1 detected nothing at all in our trials (it is
# still building its reference), so it is scored on the second pass, which
# starts with a reference already adapted to the first frame: this favours
# Motion (our stage starts cold at frame 0). Motion saves a JPEG of every
# frame on which it detects motion; pictures stamped after the first loop
# (the "Reconnecting" line of its log) are mapped back to the source frame
# they show by motion_match.py (smallest difference of 16x12 thumbnails,
# searched forward in time), so OUTDIR/<name>.txt holds "frame 0|1" for
# every frame. Motion is stopped by its pid when the second loop begins.
# Everything stays in a temporary directory; no network (web control and
# stream ports are off).
#
# Motion settings: its defaults (motion-dist.conf: noise_tune on,
# despeckle_filter EedDl, lightswitch_percent 0, minimum_motion_frames 1)
# except threshold, scaled from the default 1500 changed pixels at 640x480
# to the same share of this frame, and framerate = the source's.
set -eu

ROOT=${1:-${PORCH_TESTDATA:-../shared/testdata}/sequences}
OUT=${2:-motion-out}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ ! -d "$ROOT" ]; then
    echo "run_motion.sh: no test data at $ROOT" >&2
    exit 77
fi
if ! command -v motion >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y motion >/dev/null
    else
        echo "run_motion.sh: install Motion first: apt-get install -y motion" >&2
        exit 1
    fi
fi
mkdir -p "$OUT"
TMP=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT

probe() { # probe FILE ENTRY
    ffprobe -v error -select_streams v:0 -show_entries stream="$2" -of csv=p=0 "$1"
}

for dir in "$ROOT"/*/; do
    name=$(basename "$dir")
    video="$dir/video.mp4"
    [ -f "$video" ] || continue
    w=$(probe "$video" width); h=$(probe "$video" height)
    fps=$(probe "$video" avg_frame_rate | awk -F/ '{ printf "%d", ($1 / ($2 ? $2 : 1)) + 0.5 }')
    n=$(ffprobe -v error -count_frames -select_streams v:0 \
        -show_entries stream=nb_read_frames -of csv=p=0 "$video")
    mw=$((w / 8 * 8)); mh=$((h / 8 * 8))
    thr=$((1500 * mw * mh / 307200)); [ "$thr" -ge 20 ] || thr=20
    work="$TMP/$name"; mkdir -p "$work/pics"
    tail=$((12 * fps))
    ffmpeg -v error -i "$video" -filter_complex \
        "[0:v]split[a][b];[b]trim=end_frame=1,loop=loop=$tail:size=1:start=0,setpts=N/$fps/TB[f];[a]tpad=start_duration=3:start_mode=clone,setpts=N/$fps/TB[c];[c][f]concat=n=2:v=1[out]" \
        -map "[out]" -r "$fps" -c:v libx264 -crf 12 -g "$fps" -an "$work/in.mp4"
    cat > "$work/motion.conf" <<CONF
daemon off
setup_mode off
log_level 6
log_file $work/motion.log
target_dir $work/pics
netcam_url file://$work/in.mp4
width $mw
height $mh
framerate $fps
threshold $thr
noise_tune on
despeckle_filter EedDl
lightswitch_percent 0
minimum_motion_frames 1
pre_capture 0
post_capture 0
event_gap 1
picture_output on
picture_type jpg
picture_quality 90
picture_filename %v-%Y%m%d%H%M%S-%q
movie_output off
webcontrol_port 0
stream_port 0
CONF
    limit=$(awk -v n="$n" -v f="$fps" 'BEGIN { printf "%d", 2 * (2 * (15 + n / f) + 10) }')
    motion -n -c "$work/motion.conf" >/dev/null 2>&1 &
    pid=$!
    # Half-second polls until the second loop starts (or a time limit).
    i=0
    while [ "$i" -lt "$limit" ] && [ "$(cat "$work/motion.log" 2>/dev/null | grep -c Reconnecting)" -lt 2 ]; do
        sleep 0.5; i=$((i + 1))
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    first=$(grep -m1 Reconnecting "$work/motion.log" | sed -n 's/.*\[\([A-Z][a-z][a-z] [0-9]* [0-9:]*\)\].*/\1/p')
    python3 "$HERE/motion_match.py" "$video" "$work/pics" "$n" "$fps" "$first" > "$OUT/$name.txt"
    echo "$name: $n frames, Motion flagged $(awk '$2 == 1' "$OUT/$name.txt" | wc -l)"
done
