// Every local server answers only requests addressed to this machine by name: a Host header of
// 127.0.0.1, localhost or [::1] (any port). A web page elsewhere can point its own host name at
// 127.0.0.1 (DNS rebinding) and then read from these servers as if it were same-origin; such a
// request carries the page's host name in Host and is refused here. Plain JavaScript, so the
// worker threads (dynalite, aws-ses-v2-local) use the same check as the main thread.

const LOOPBACK = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/** Whether a Host header names this machine (absent: HTTP/1.0, no name was used either). */
export function isLoopbackHost(host) {
  return host === undefined || LOOPBACK.test(host);
}

/** Makes `server` refuse (421) every request whose Host header is not a loopback name. */
export function guardLoopback(server) {
  const listeners = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (isLoopbackHost(req.headers.host)) {
      for (const l of listeners) l.call(server, req, res);
      return;
    }
    req.resume();
    res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end('This local service answers only to http://127.0.0.1 or http://localhost.\n');
  });
  return server;
}
