// Node's http2 client against h2w-server in the scenarios real clients
// exercise: a big download, a big upload echoed back, request trailers,
// a cancel mid-body followed by more requests, many streams at once
// (more than the server's MAX_CONCURRENT_STREAMS, so node must queue),
// and a server push. One "ok"/"FAIL" line per check; exit 1 on failure.
// Usage: node scenarios_client.js URL
'use strict';
const http2 = require('http2');
const crypto = require('crypto');

const url = process.argv[2];
// The 64-octet line h2w-server's /bytes/N repeats (examples/h2w-server).
const LINE = Buffer.from(
  '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+\n');
let failures = 0;

function check(cond, msg) {
  console.log(`${cond ? 'ok  ' : 'FAIL'} ${msg}`);
  if (!cond) failures++;
}

function sha(buf) {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

// Stream a response, hashing and counting it; resolve with the result.
function fetch(client, headers, body, opts = {}) {
  return new Promise((resolve) => {
    const req = client.request(headers, opts.reqOpts || {});
    const h = crypto.createHash('sha256');
    let n = 0;
    let status = 0;
    let patternOk = true;
    req.on('response', (hd) => { status = hd[':status']; });
    req.on('data', (c) => {
      if (opts.pattern) {
        for (let i = 0; i < c.length; i++) {
          if (c[i] !== LINE[(n + i) % 64]) { patternOk = false; break; }
        }
      }
      n += c.length;
      h.update(c);
      if (opts.cancelAfter && n >= opts.cancelAfter) {
        req.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    req.on('wantTrailers', () => req.sendTrailers(opts.trailers));
    req.on('close', () => resolve({ status, n, hash: h.digest('hex'),
      patternOk, code: req.rstCode }));
    req.on('error', () => {});
    if (body) {
      // Write in 64 KiB pieces so flow control paces the upload.
      let off = 0;
      const step = () => {
        while (off < body.length) {
          const piece = body.subarray(off, off + 65536);
          off += piece.length;
          if (!req.write(piece)) { req.once('drain', step); return; }
        }
        req.end();
      };
      step();
    } else {
      req.end();
    }
  });
}

async function main() {
  const client = http2.connect(url);
  client.on('error', (e) => { check(false, `session error ${e.message}`); });
  let goaway = null;
  client.on('goaway', (code) => { goaway = code; });
  const pushed = [];
  client.on('stream', (stream, headers) => {
    let n = 0;
    stream.on('data', (c) => { n += c.length; });
    stream.on('end', () => pushed.push({ path: headers[':path'], n }));
  });

  const big = 20000000;
  let r = await fetch(client, { ':path': `/bytes/${big}` }, null,
    { pattern: true });
  check(r.status === 200 && r.n === big && r.patternOk,
    `big download: ${r.n} of ${big} octets, pattern ${r.patternOk}`);

  const up = crypto.randomBytes(8 << 20);
  r = await fetch(client, { ':path': '/echo', ':method': 'POST' }, up);
  check(r.status === 200 && r.n === up.length && r.hash === sha(up),
    `big upload echoed: ${r.n} of ${up.length} octets`);

  const small = crypto.randomBytes(100000);
  r = await fetch(client, { ':path': '/echo', ':method': 'POST' }, small,
    { reqOpts: { waitForTrailers: true },
      trailers: { 'x-checksum': sha(small) } });
  check(r.status === 200 && r.hash === sha(small),
    `upload with request trailers echoed: ${r.n} octets`);

  r = await fetch(client, { ':path': '/bytes/100000000' }, null,
    { cancelAfter: 1 << 20 });
  check(r.n < 100000000 && r.code === http2.constants.NGHTTP2_CANCEL,
    `cancel mid-body after ${r.n} octets`);

  const many = [];
  for (let i = 0; i < 300; i++) {
    many.push(fetch(client, { ':path': `/bytes/${1000 + i}` }, null,
      { pattern: true }));
  }
  const all = await Promise.all(many);
  const good = all.filter((x, i) => x.status === 200 && x.n === 1000 + i &&
    x.patternOk).length;
  check(good === 300, `300 streams at once: ${good} complete`);

  r = await fetch(client, { ':path': '/push' }, null);
  await new Promise((res) => setTimeout(res, 200));
  check(r.status === 200 && r.n > 0, `GET /push: ${r.n} octets`);
  check(pushed.length === 1 && pushed[0].path === '/pushed.css' &&
    pushed[0].n > 0, `pushed: ${JSON.stringify(pushed)}`);

  check(goaway === null, `no GOAWAY before the end (got ${goaway})`);
  client.close();
  process.exitCode = failures ? 1 : 0;
}

main();
