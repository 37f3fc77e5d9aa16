#!/usr/bin/python3
"""A loopback RTSP server for the hub's tests (gst-rtsp-server via python3-gi).

Serves an H.264 MP4 at rtsp://127.0.0.1:PORT/cam; every client gets its
own playback from the start. Prints "PORT N" once listening. Stops on
SIGTERM/SIGINT or when its parent (the test) dies.
Usage: rtsp_server.py FILE [PORT]   (PORT 0 or absent: a free one)
"""
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    path = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        '( filesrc location="%s" ! qtdemux ! h264parse ! '
        "rtph264pay name=pay0 pt=96 config-interval=1 )" % path.replace('"', ""))
    factory.set_shared(False)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print("cannot listen", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    parent = os.getppid()

    def watch_parent():
        if os.getppid() != parent:
            loop.quit()
        return True

    GLib.timeout_add(500, watch_parent)
    print("PORT %d" % server.get_bound_port(), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
