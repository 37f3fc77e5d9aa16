#!/usr/bin/python3
"""A loopback HTTP server for the hub's Media Source Extensions test.

Serves the files of DIR (GET) and takes the page's verdict as
POST /result, written to DIR/result.json (atomically). Prints "PORT N"
once listening. Stops on SIGTERM/SIGINT or when its parent (the test) dies.
Usage: mse_server.py DIR
"""
import functools
import http.server
import os
import signal
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/result":
            self.send_error(404)
            return
        n = int(self.headers.get("Content-Length", "0"))
        if n < 0 or n > 65536:
            self.send_error(413)
            return
        body = self.rfile.read(n)
        tmp = os.path.join(self.directory, "result.json.tmp")
        with open(tmp, "wb") as f:
            f.write(body)
        os.rename(tmp, os.path.join(self.directory, "result.json"))
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def watch_parent(server, parent):
    # The test may die without stopping us: leave no server behind.
    while os.getppid() == parent:
        threading.Event().wait(0.5)
    server.shutdown()


def main():
    directory = sys.argv[1]
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
    threading.Thread(target=watch_parent, args=(server, os.getppid()), daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
