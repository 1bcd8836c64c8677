#!/usr/bin/python3
"""A test RTSP camera: serves an H.264 MP4 at rtsp://127.0.0.1:PORT/cam with gst-rtsp-server.

Each client session plays the file from its start, once, in real time. Prints "ready PORT" once
the port is bound; exits 3 when it cannot bind. Debian packages: gir1.2-gst-rtsp-server-1.0,
python3-gi, gstreamer1.0-plugins-{base,good,bad}.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: rtsp_server.py PORT CLIP.mp4")
    port, clip = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    location = clip.replace("\\", "\\\\").replace('"', '\\"')
    factory.set_launch(
        f'( filesrc location="{location}" ! qtdemux ! h264parse '
        "! rtph264pay name=pay0 pt=96 config-interval=1 )")
    server.get_mount_points().add_factory("/cam", factory)
    try:
        if server.attach(None) == 0:
            sys.exit(3)
    except GLib.Error as e:
        print(f"cannot bind port {port}: {e}", flush=True)
        sys.exit(3)
    print(f"ready {port}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
