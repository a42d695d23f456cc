/**
 * A local S3 for tests: an HTTP server that speaks the part of the documented S3 REST API the
 * media driver uses — PutObject, GetObject, HeadObject, DeleteObject, path-style
 * (`/<bucket>/<key>`) — and checks each request's Signature Version 4 the way S3 does
 * (credential scope, signed headers, the signature itself, the payload hash, the clock).
 * Errors are S3's: the status, `<Error><Code>…</Code><Message>…</Message>…</Error>` XML (no body
 * for HEAD), `x-amz-request-id` / `x-amz-id-2` headers.
 *
 * Fault switches: `fail('slowdown' | 'internal' | 'drop' | 'hang', n)` makes the next n
 * requests answer 503 SlowDown, 500 InternalError, lose their connection with no answer, or
 * get no answer at all until the client gives up (or the fake closes).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeS3Object {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
  serverSideEncryption?: string;
  kmsKeyId?: string;
}

export interface FakeS3Request {
  method: string;
  /** The raw path and query as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The S3 error code answered, or undefined for a success. */
  error?: string;
  status?: number;
}

export type FakeS3Fault = 'slowdown' | 'internal' | 'drop' | 'hang';

export interface FakeS3 {
  /** `http://127.0.0.1:<port>`: the S3_ENDPOINT to give the driver. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** What the bucket holds, by object key. */
  readonly objects: Map<string, FakeS3Object>;
  /** Every request received, in order. */
  readonly requests: FakeS3Request[];
  /** The next `times` requests meet this fault (queued after any already set). */
  fail(fault: FakeS3Fault, times?: number): void;
  /** Forgets the faults not met yet. */
  clearFaults(): void;
  close(): Promise<void>;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Starts the fake on a free loopback port. */
export async function startFakeS3(opts: { bucket?: string; region?: string; accessKeyId?: string; secretAccessKey?: string } = {}): Promise<FakeS3> {
  const bucket = opts.bucket ?? 'tawasul-media';
  const region = opts.region ?? 'us-east-1';
  const accessKeyId = opts.accessKeyId ?? 'AKIAFAKES3TAWASUL000';
  const secretAccessKey = opts.secretAccessKey ?? 'fake/s3/secret/key/for/tests/only/0000000';
  const objects = new Map<string, FakeS3Object>();
  const requests: FakeS3Request[] = [];
  const faults: FakeS3Fault[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const record: FakeS3Request = { method: req.method ?? '', url: req.url ?? '', headers: { ...req.headers } };
    requests.push(record);
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const common = { 'x-amz-request-id': requestId, 'x-amz-id-2': randomBytes(32).toString('base64'), date: new Date().toUTCString(), server: 'AmazonS3' };
    const fault = faults.shift();
    if (fault === 'drop') {
      record.error = 'connection dropped';
      req.socket.destroy();
      return;
    }
    if (fault === 'hang') {
      record.error = 'no answer';
      return;
    }
    try {
      if (fault === 'slowdown') throw new S3Error(503, 'SlowDown', 'Please reduce your request rate.');
      if (fault === 'internal') throw new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      authenticate(req, body);
      const out = route(req, body);
      record.status = out.status;
      res.writeHead(out.status, { ...common, ...out.headers });
      res.end(req.method === 'HEAD' ? undefined : out.body);
    } catch (err) {
      const e = err instanceof S3Error ? err : new S3Error(500, 'InternalError', 'We encountered an internal error. Please try again.');
      record.error = e.code;
      record.status = e.status;
      const details = Object.entries(e.details).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message>${details}<RequestId>${requestId}</RequestId><HostId>${common['x-amz-id-2']}</HostId></Error>`;
      // HEAD answers carry the status and headers only, as S3's do.
      if (req.method === 'HEAD') {
        res.writeHead(e.status, common);
        res.end();
      } else {
        res.writeHead(e.status, { ...common, 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
        res.end(xml);
      }
    }
  }

  /** Signature Version 4 in the Authorization header, checked as S3 checks it. */
  function authenticate(req: IncomingMessage, body: Buffer) {
    const auth = req.headers.authorization;
    if (!auth) throw new S3Error(403, 'AccessDenied', 'Access Denied');
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.');
    const [, credential, signedHeaderList, signature] = m as unknown as [string, string, string, string];
    const scope = credential.split('/');
    if (scope.length !== 5) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
    const [akid, date, scopeRegion, service, terminator] = scope as [string, string, string, string, string];
    if (akid !== accessKeyId) throw new S3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: akid });
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!/^\d{8}T\d{6}Z$/.test(amzDate)) throw new S3Error(403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
    if (date !== amzDate.slice(0, 8)) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
    if (scopeRegion !== region) throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${scopeRegion}' is wrong; expecting '${region}'`, { Region: region });
    if (service !== 's3') throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`);
    if (terminator !== 'aws4_request') throw new S3Error(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect terminal "${terminator}". This endpoint uses "aws4_request".`);
    const at = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
    if (Math.abs(Date.now() - at) > MAX_SKEW_MS) {
      throw new S3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: amzDate, ServerTime: new Date().toISOString(), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) });
    }
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (typeof payloadHash !== 'string') throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    if (payloadHash.startsWith('STREAMING-')) throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented.', { Header: 'x-amz-content-sha256' });
    const signed = signedHeaderList.split(';');
    if (!signed.includes('host')) throw new S3Error(403, 'AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: 'host' });
    const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signed.includes(h));
    if (unsigned.length) throw new S3Error(403, 'AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: unsigned.join(', ') });

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const canonicalUri = q < 0 ? url : url.slice(0, q);
    const canonicalQuery = (q < 0 ? '' : url.slice(q + 1))
      .split('&')
      .filter(Boolean)
      .map((p) => {
        const eq = p.indexOf('=');
        const k = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
        const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
        return [uriEncode(k), uriEncode(v)] as const;
      })
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const headerValue = (h: string) => {
      const v = req.headers[h];
      return (Array.isArray(v) ? v.join(',') : (v ?? '')).trim().replace(/\s+/g, ' ');
    };
    const canonicalHeaders = signed.map((h) => `${h}:${headerValue(h)}\n`).join('');
    const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaderList, payloadHash].join('\n');
    const credentialScope = `${date}/${scopeRegion}/${service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonicalRequest)].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), scopeRegion), service), 'aws4_request');
    const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
    if (expected !== signature) {
      throw new S3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
        AWSAccessKeyId: akid,
        StringToSign: stringToSign,
        SignatureProvided: signature,
        CanonicalRequest: canonicalRequest,
      });
    }
    if (payloadHash !== 'UNSIGNED-PAYLOAD') {
      const actual = sha256(body);
      if (actual !== payloadHash) {
        throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual });
      }
    }
  }

  function route(req: IncomingMessage, body: Buffer): { status: number; headers: Record<string, string | number>; body?: Buffer } {
    const path = (req.url ?? '/').split('?')[0]!;
    const slash = path.indexOf('/', 1);
    const bucketName = decodeURIComponent(slash < 0 ? path.slice(1) : path.slice(1, slash));
    const key = slash < 0 ? '' : decodeURIComponent(path.slice(slash + 1));
    if (bucketName !== bucket) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucketName });
    if (!key) throw new S3Error(501, 'NotImplemented', 'A header you provided implies functionality that is not implemented.', { Header: 'bucket operations' });
    const described = (o: FakeS3Object) => ({
      'content-type': o.contentType,
      'content-length': o.body.length,
      etag: o.etag,
      'last-modified': o.lastModified.toUTCString(),
      'accept-ranges': 'bytes',
      ...(o.serverSideEncryption ? { 'x-amz-server-side-encryption': o.serverSideEncryption } : {}),
      ...(o.kmsKeyId ? { 'x-amz-server-side-encryption-aws-kms-key-id': o.kmsKeyId } : {}),
    });
    switch (req.method) {
      case 'PUT': {
        const sse = req.headers['x-amz-server-side-encryption'] as string | undefined;
        if (sse !== undefined && sse !== 'AES256' && sse !== 'aws:kms') throw new S3Error(400, 'InvalidArgument', 'The encryption method specified is not supported', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: sse });
        const kms = req.headers['x-amz-server-side-encryption-aws-kms-key-id'] as string | undefined;
        if (kms && sse !== 'aws:kms') throw new S3Error(400, 'InvalidArgument', 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: sse ?? 'null' });
        const md5 = req.headers['content-md5'];
        if (typeof md5 === 'string' && createHash('md5').update(body).digest('base64') !== md5) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', { ExpectedDigest: md5 });
        const checksum = req.headers['x-amz-checksum-sha256'];
        if (typeof checksum === 'string' && createHash('sha256').update(body).digest('base64') !== checksum) throw new S3Error(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        objects.set(key, {
          body,
          contentType: (req.headers['content-type'] as string | undefined) ?? 'binary/octet-stream',
          etag,
          lastModified: new Date(),
          ...(sse ? { serverSideEncryption: sse } : {}),
          ...(kms ? { kmsKeyId: kms } : {}),
        });
        return { status: 200, headers: { etag, 'content-length': 0, ...(sse ? { 'x-amz-server-side-encryption': sse } : {}) } };
      }
      case 'GET':
      case 'HEAD': {
        const o = objects.get(key);
        if (!o) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
        return { status: 200, headers: described(o), body: o.body };
      }
      case 'DELETE':
        objects.delete(key);
        return { status: 204, headers: {} };
      default:
        throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: req.method ?? '', ResourceType: 'OBJECT' });
    }
  }

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    objects,
    requests,
    fail(fault, times = 1) {
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    clearFaults() {
      faults.length = 0;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
