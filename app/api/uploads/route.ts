import { z } from 'zod';
import { problem, problemFor, readJson, jsonRoute } from '@/lib/api';
import { requireUser } from '@/lib/auth';
import { checkUploadRateLimit, clientIpFromHeaders } from '@/lib/rate-limit';
import { BUCKET_NAMES, getStorageDeps, requestUpload } from '@/lib/storage';

// Presigns an upload straight to storage: the browser sends the bytes to MinIO, never through the app.
export const dynamic = 'force-dynamic';

const uploadSchema = z.object({
  bucket: z.enum(BUCKET_NAMES),
  filename: z.string().trim().min(1).max(255),
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'must be a MIME type like audio/mpeg'),
  size: z.number().int().positive(),
  /** The browser's identity of the file (name, size, last modified), so a resume can check it is the same. */
  fingerprint: z.string().min(1).max(600).optional(),
});

export const POST = jsonRoute(async (request: Request) => {
  const user = await requireUser();
  if (!user.ok) return user.response;
  const limit = await checkUploadRateLimit(user.userId, clientIpFromHeaders(request.headers));
  if (!limit.allowed) {
    const response = problem(
      limit.status,
      limit.status === 429 ? 'Too Many Requests' : 'Service Unavailable',
      `Too many uploads: try again in ${limit.retryAfterSeconds} s.`,
    );
    for (const [name, value] of Object.entries(limit.headers)) response.headers.set(name, value);
    return response;
  }
  const body = await readJson(request, uploadSchema);
  if (!body.ok) return body.response;
  const result = await requestUpload(await getStorageDeps(), user.userId, body.data);
  if (!result.ok) return problemFor(result.status, result.error, result.extra);
  const response = Response.json({ uploadId: result.uploadId, ...result.upload });
  for (const [name, value] of Object.entries(limit.headers)) response.headers.set(name, value);
  return response;
});
