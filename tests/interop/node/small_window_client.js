// Node's http2 client with a small receive window, downloading from
// h2w-server: every response must arrive whole, with no GOAWAY.
// Usage: node small_window_client.js URL WINDOW SIZE [COUNT] [PARALLEL]
// Prints "ok <path> <bytes>" per response, "FAIL ..." otherwise.
'use strict';
const http2 = require('http2');

const [url, win, size, count = '3', parallel = '1'] = process.argv.slice(2);
const window = Number(win);
const total = Number(count);
let failed = 0;
let started = 0;
let done = 0;

// RFC 9113 §6.5.2: SETTINGS_INITIAL_WINDOW_SIZE bounds every stream window
// we offer; the connection window stays at its 65535 default (§6.9.2).
const client = http2.connect(url, { settings: { initialWindowSize: window } });
client.on('goaway', (code, last, data) => {
  console.log(`FAIL goaway code=${code} last=${last} ${data ? data.toString() : ''}`);
  failed++;
});
client.on('error', (e) => {
  console.log(`FAIL session error ${e.message}`);
  failed++;
  process.exit(1);
});

// The /bytes/N body repeats this 64-octet line (examples/h2w-server/routes.c).
function expected(n) {
  return n;
}

function one() {
  const i = started++;
  const path = `/bytes/${size}`;
  const req = client.request({ ':path': path });
  let got = 0;
  req.on('response', (h) => {
    if (h[':status'] !== 200) {
      console.log(`FAIL ${path} status ${h[':status']}`);
      failed++;
    }
  });
  req.on('data', (c) => { got += c.length; });
  req.on('end', () => {
    if (got === expected(Number(size))) {
      console.log(`ok ${path} #${i} ${got} bytes, window ${window}`);
    } else {
      console.log(`FAIL ${path} #${i} got ${got} of ${size}`);
      failed++;
    }
    next();
  });
  req.on('error', (e) => {
    console.log(`FAIL ${path} #${i} stream error ${e.message}`);
    failed++;
    next();
  });
  req.end();
}

function next() {
  done++;
  if (started < total) {
    one();
  } else if (done === total) {
    client.close();
    process.exitCode = failed ? 1 : 0;
  }
}

for (let k = 0; k < Number(parallel) && started < total; k++) {
  one();
}
