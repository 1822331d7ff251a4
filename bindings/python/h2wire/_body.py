"""The outgoing body of one stream, pulled by the library's data source.

The library asks for body bytes only when flow control lets them out
(RFC 9113 §6.9), from inside h2w_session_send(). Until then they wait
here; when the buffer runs dry before the end, the source answers
H2W_E_DEFERRED and Session.send_data() resumes it.
"""

import ctypes

# Compact the buffer once this much of its front has been sent (and it is
# at least half of the buffer), so a long upload does not keep every byte.
_COMPACT_AT = 64 * 1024


class Body:
    __slots__ = ("data", "off", "eof", "trailers")

    def __init__(self, data=b"", eof=False):
        self.data = bytearray(data)
        self.off = 0
        self.eof = eof  # no more bytes will be added
        self.trailers = False  # end without END_STREAM: trailers follow

    def pending(self):
        return len(self.data) - self.off

    def append(self, data):
        self.data += data

    def take(self, dst, cap):
        """Copy up to cap bytes to the C buffer at address dst."""
        n = min(cap, len(self.data) - self.off)
        if n:
            src = (ctypes.c_char * n).from_buffer(self.data, self.off)
            ctypes.memmove(dst, src, n)
            del src  # release the export before the bytearray is resized
            self.off += n
            if self.off == len(self.data):
                self.data.clear()
                self.off = 0
            elif self.off >= _COMPACT_AT and 2 * self.off >= len(self.data):
                del self.data[: self.off]
                self.off = 0
        return n

    def finished(self):
        return self.eof and self.off == len(self.data)
