#!/usr/bin/env python3
"""demo_scan.py: the demo's look at what the server holds.

Usage: demo_scan.py SERVER_DIR OPENED.mp4 THUMB.jpg [REASON]

Searches every file under SERVER_DIR (database, WAL, blobs, its log) for
plaintext the camera produced: MP4 box names, the JPEG marker, the event's
reason text, and sliding 16-byte windows of the opened video's media data and
of the thumbnail. Prints one line per needle and exits 1 if any is found.
"""
import os
import sys

WINDOW = 16


def windows(data, step):
    return {data[i:i + WINDOW] for i in range(0, len(data) - WINDOW, step)}


def main():
    server_dir, video, thumb = sys.argv[1:4]
    reason = sys.argv[4] if len(sys.argv) > 4 else ""
    held = b""
    files = 0
    for d, _, names in os.walk(server_dir):
        for n in names:
            with open(os.path.join(d, n), "rb") as f:
                held += f.read() + b"\0"
            files += 1
    with open(video, "rb") as f:
        mp4 = f.read()
    with open(thumb, "rb") as f:
        jpg = f.read()
    mdat = mp4.find(b"mdat")
    media = mp4[mdat + 4:] if mdat >= 0 else b""
    held_windows = windows(held, 1)
    checks = [(name, name.encode() in held) for name in ("ftyp", "moov", "moof", "mdat")]
    checks.append(("JPEG JFIF marker", b"JFIF" in held))
    if reason:
        checks.append(("reason '%s'" % reason, reason.encode() in held))
    video_w = windows(media, 61)
    thumb_w = windows(jpg[20:], 7)
    checks.append(("%d windows of the video's media data" % len(video_w),
                   bool(video_w & held_windows)))
    checks.append(("%d windows of the thumbnail" % len(thumb_w), bool(thumb_w & held_windows)))
    print("  scanned %d files, %d bytes" % (files, len(held) - files))
    found = 0
    for name, hit in checks:
        print("  %-48s %d" % (name, hit))
        found += hit
    if found:
        print("UNEXPECTED: plaintext found on the server", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
