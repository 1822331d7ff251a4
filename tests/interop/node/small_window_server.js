// Node's http2 server announcing a small receive window: it reads every
// request body to the end and answers with the octet count, so an
// uploading client must live with tiny windows and WINDOW_UPDATEs.
// Usage: node small_window_server.js WINDOW
// Prints "listening on 127.0.0.1:PORT", then one line per request.
'use strict';
const http2 = require('http2');

const window = Number(process.argv[2]);
const server = http2.createServer({ settings: { initialWindowSize: window } });
server.on('stream', (stream, headers) => {
  let got = 0;
  stream.on('data', (c) => { got += c.length; });
  stream.on('end', () => {
    console.log(`request ${headers[':path']} ${got} bytes`);
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(`${got}\n`);
  });
  stream.on('error', (e) => console.log(`stream error ${e.message}`));
});
server.on('session', (session) => {
  session.on('goaway', (code, last, data) => {
    console.log(`goaway code=${code} ${data ? data.toString() : ''}`);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
