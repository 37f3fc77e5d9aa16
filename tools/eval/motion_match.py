#!/usr/bin/env python3
"""motion_match.py VIDEO PICS_DIR NFRAMES FPS [AFTER]: maps the pictures Motion saved
(one per frame on which it detected motion) back to frame indices of VIDEO,
and prints "index 0|1" for every frame.

Each picture and each video frame is reduced by ffmpeg to a 16x12 grey
thumbnail; a picture is the frame whose thumbnail differs least (sum of
absolute differences), searched in a window after the previous match since
pictures are in time order (Motion names them by time and frame number
within the second); the window grows with the time between pictures.
AFTER ("Nov 25 04:33:05", from Motion's log) drops pictures stamped at or
before that second (Motion's first pass)."""
import datetime
import os
import re
import subprocess
import sys

TW, TH = 16, 12
SZ = TW * TH


def thumbs(args):
    cmd = ["ffmpeg", "-v", "error"] + args + [
        "-vf", f"scale={TW}:{TH}:flags=area,format=gray", "-f", "rawvideo", "-"]
    raw = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
    return [raw[i:i + SZ] for i in range(0, len(raw) - SZ + 1, SZ)]


def sad(a, b):
    return sum(abs(x - y) for x, y in zip(a, b))


def main():
    video, pics, n, fps = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    frames = thumbs(["-i", video])
    key = re.compile(r"^(\d+)-(\d{14})-(\d+)\.jpg$")
    names = sorted((m.group(2), int(m.group(3)), f) for f in os.listdir(pics)
                   if (m := key.match(f)))
    if len(sys.argv) > 5 and sys.argv[5]:
        after = datetime.datetime.strptime(sys.argv[5], "%b %d %H:%M:%S")
        cut = f"{datetime.date.today().year}{after:%m%d%H%M%S}"
        names = [x for x in names if x[0] > cut]
    hit = [0] * n
    if names:
        lst = os.path.join(pics, "list.txt")
        with open(lst, "w") as fh:
            for _, _, f in names:
                fh.write(f"file '{os.path.join(pics, f)}'\n")
        pictures = thumbs(["-f", "concat", "-safe", "0", "-i", lst])
        prev, prev_t = 0, None
        for (stamp, _, _), p in zip(names, pictures):
            t = datetime.datetime.strptime(stamp, "%Y%m%d%H%M%S").timestamp()
            gap = 0 if prev_t is None else t - prev_t
            prev_t = t
            span = 30 + int((gap + 1) * fps * 1.5)
            lo, hi = max(0, prev - 5), min(len(frames), prev + span)
            best = min(range(lo, hi), key=lambda i: sad(p, frames[i]))
            if best < n:
                hit[best] = 1
            prev = best
    for i in range(n):
        print(i, hit[i])


main()
