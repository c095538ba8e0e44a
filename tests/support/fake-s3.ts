// A stand-in for an S3-compatible bucket (path-style PUT, GET, DELETE of objects) that
// checks each request's AWS Signature V4 the way S3 does, computed here from the spec
// (canonical request, string to sign, derived signing key), not with the client's signer.
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeS3 {
  url: string;
  objects: Map<string, { bytes: Buffer; contentType: string | undefined }>;
  /** Requests refused for their signature, with why. */
  refused: string[];
  close(): Promise<void>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** Why the request's signature is wrong, or null when S3 would accept it. */
function signatureProblem(req: IncomingMessage, body: Buffer, credentials: { accessKeyId: string; secretAccessKey: string; region: string }): string | null {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? "");
  if (!match) return "no AWS4-HMAC-SHA256 authorization";
  const [, accessKeyId, day, region, signedHeaders, signature] = match;
  if (accessKeyId !== credentials.accessKeyId) return "unknown access key";
  if (region !== credentials.region) return `wrong region ${region}`;
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(day!)) return "x-amz-date does not match the credential's day";
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== sha256(body)) return "x-amz-content-sha256 is not the body's hash";
  const url = new URL(req.url ?? "/", "http://s3.invalid");
  const query = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join("&");
  const headers = signedHeaders!.split(";");
  const canonicalHeaders = headers.map((name) => `${name}:${String(req.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonicalRequest = [req.method, url.pathname, query, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day!), region!), "s3"), "aws4_request");
  return hmac(key, stringToSign).toString("hex") === signature ? null : "signature does not match";
}

export async function startFakeS3(options: { bucket: string; accessKeyId: string; secretAccessKey: string; region: string }): Promise<FakeS3> {
  const objects: FakeS3["objects"] = new Map();
  const refused: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const xml = (status: number, code: string) => res.writeHead(status, { "content-type": "application/xml" }).end(`<?xml version="1.0"?><Error><Code>${code}</Code></Error>`);
    const problem = signatureProblem(req, body, options);
    if (problem) {
      refused.push(problem);
      return xml(403, "SignatureDoesNotMatch");
    }
    const path = new URL(req.url ?? "/", "http://s3.invalid").pathname;
    const prefix = `/${options.bucket}/`;
    if (!path.startsWith(prefix)) return xml(404, "NoSuchBucket");
    const key = decodeURIComponent(path.slice(prefix.length));
    if (req.method === "PUT") {
      objects.set(key, { bytes: body, contentType: req.headers["content-type"] });
      return res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` }).end();
    }
    const object = objects.get(key);
    if (req.method === "DELETE") {
      objects.delete(key);
      return res.writeHead(204).end();
    }
    if (req.method === "GET" && object) return res.writeHead(200, { "content-type": object.contentType ?? "application/octet-stream" }).end(object.bytes);
    return xml(404, "NoSuchKey");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
